package dev.myelin.backend.cuda;

import dev.myelin.backend.Buffer;

/**
 * A device buffer: a block of {@code bytes} (the allocator's size class, at least 4 * length) seen as
 * {@code length} floats. Handed out by {@link CudaAllocator}; the block goes back to its pool on
 * release, so this object is dead after release while the block lives on.
 *
 * @param <H> the device pointer type (CUdeviceptr on a device, anything in allocator tests)
 */
final class CudaBuffer<H> implements Buffer {
    final H block;
    final long bytes;
    private final int length;
    final CudaAllocator<H> owner;
    boolean released;

    CudaBuffer(H block, long bytes, int length, CudaAllocator<H> owner) {
        this.block = block;
        this.bytes = bytes;
        this.length = length;
        this.owner = owner;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public String toString() {
        return "CudaBuffer[" + length + " floats" + (released ? ", released]" : "]");
    }
}
