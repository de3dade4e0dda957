package dev.myelin.backend.opencl;

import dev.myelin.backend.Buffer;

/**
 * A device buffer: a cl_mem of {@code bytes} (the allocator's size class, at least 4 * length) seen
 * as {@code length} floats. Handed out by {@link OpenClAllocator}; the cl_mem goes back to its pool
 * on release, so this object is dead after release while the cl_mem lives on.
 */
final class OpenClBuffer implements Buffer {
    final long mem;
    final long bytes;
    private final int length;
    final OpenClAllocator owner;
    boolean released;

    OpenClBuffer(long mem, long bytes, int length, OpenClAllocator owner) {
        this.mem = mem;
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
        return "OpenClBuffer[" + length + " floats" + (released ? ", released]" : "]");
    }
}
