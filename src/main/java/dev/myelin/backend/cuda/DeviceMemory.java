package dev.myelin.backend.cuda;

/**
 * What {@link CudaAllocator} needs from a device: raw allocation and freeing, so that the pool's
 * bookkeeping is tested with a fake, without a GPU. {@code H} is the device pointer type
 * (JCuda's CUdeviceptr on a real device).
 */
interface DeviceMemory<H> {
    /** A new block of {@code bytes}, or null when the device is out of memory. Other failures throw. */
    H allocate(long bytes);

    void free(H block);

    /** Waits for the stream, so blocks about to be freed are no longer read or written by kernels. */
    void synchronize();

    /** {free, total} bytes of device memory now (cuMemGetInfo), for out-of-memory messages. */
    long[] freeAndTotal();

    /** The device's name, for messages. */
    String deviceName();
}
