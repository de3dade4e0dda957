package dev.myelin.backend.cuda;

import dev.myelin.backend.BackendException;
import dev.myelin.backend.MemoryStats;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Caching allocator, pooled by size class like PyTorch's: requests are rounded up to a size class,
 * released blocks wait in a per-class free list, and a training step, which asks for the same shapes
 * every time, stops calling cuMemAlloc after its first iteration (cuMemAlloc/cuMemFree are slow and
 * cuMemFree synchronises the device).
 *
 * <p>Reusing a released block for a later op needs no wait: there is one stream and it runs in order,
 * so every op enqueued before the release has run before any op enqueued after the reuse. Freeing a
 * block for real does need one, hence {@link DeviceMemory#synchronize()} before cuMemFree.
 *
 * <p>When the device is out of memory, the cache (blocks of other sizes) is freed and the allocation
 * tried once more; if that fails too, the error names the requested size and the device's free and
 * total memory. Not thread-safe; owned by one {@link CudaBackend}, which is single-caller.
 */
final class CudaAllocator<H> {
    /** Small blocks are multiples of 512 bytes (PyTorch's rounding) ... */
    static final long SMALL_GRANULE = 512;
    /** ... up to 1 MiB; larger ones are multiples of 128 KiB, so near-equal large sizes share a pool. */
    static final long SMALL_LIMIT = 1L << 20;
    static final long LARGE_GRANULE = 128L << 10;

    private final DeviceMemory<H> memory;
    private final Map<Long, ArrayDeque<H>> free = new HashMap<>();
    private long bytesInUse;
    private long bytesCached;
    private long peak;

    CudaAllocator(DeviceMemory<H> memory) {
        this.memory = memory;
    }

    static long sizeClass(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative buffer length " + length);
        }
        long bytes = Math.max(4L * length, 1);
        long granule = bytes <= SMALL_LIMIT ? SMALL_GRANULE : LARGE_GRANULE;
        return (bytes + granule - 1) / granule * granule;
    }

    CudaBuffer<H> allocate(int length) {
        long bytes = sizeClass(length);
        ArrayDeque<H> pool = free.get(bytes);
        H block = pool == null ? null : pool.pollLast();
        if (block != null) {
            bytesCached -= bytes;
        } else {
            block = memory.allocate(bytes);
            if (block == null) {
                // Cached blocks of other sizes may be what fills the device: give them back and retry once.
                emptyCache();
                block = memory.allocate(bytes);
            }
            if (block == null) {
                throw outOfMemory(bytes, length);
            }
        }
        bytesInUse += bytes;
        peak = Math.max(peak, bytesInUse);
        return new CudaBuffer<>(block, bytes, length, this);
    }

    private BackendException outOfMemory(long bytes, int length) {
        long[] info = memory.freeAndTotal();
        return new BackendException(String.format(
                "cuda: out of device memory allocating %,d bytes (%,d floats) on %s:"
                        + " %,d bytes free of %,d total (%,d bytes in use by Myelin, %,d cached)",
                bytes, length, memory.deviceName(), info[0], info[1], bytesInUse, bytesCached));
    }

    void release(CudaBuffer<H> buffer) {
        if (buffer.owner != this) {
            throw new IllegalArgumentException("buffer " + buffer + " belongs to another CUDA backend");
        }
        if (buffer.released) {
            throw new IllegalStateException("buffer of " + buffer.length() + " floats released twice");
        }
        buffer.released = true;
        bytesInUse -= buffer.bytes;
        bytesCached += buffer.bytes;
        free.computeIfAbsent(buffer.bytes, k -> new ArrayDeque<>()).addLast(buffer.block);
    }

    /** Frees every cached block; waits for the stream first, since kernels may still use them. */
    void emptyCache() {
        if (bytesCached == 0) {
            return;
        }
        memory.synchronize();
        for (ArrayDeque<H> pool : free.values()) {
            for (H block : pool) {
                memory.free(block);
            }
        }
        free.clear();
        bytesCached = 0;
    }

    MemoryStats stats() {
        return new MemoryStats(bytesInUse, bytesCached, peak);
    }
}
