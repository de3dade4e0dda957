package dev.myelin.backend.opencl;

import dev.myelin.backend.BackendException;
import dev.myelin.backend.MemoryStats;
import org.lwjgl.system.MemoryStack;

import java.nio.IntBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

import static org.lwjgl.opencl.CL10.CL_MEM_READ_WRITE;
import static org.lwjgl.opencl.CL10.clCreateBuffer;
import static org.lwjgl.opencl.CL10.clReleaseMemObject;

/**
 * Caching allocator, pooled by size class like PyTorch's: requests are rounded up to a multiple of
 * {@link #GRANULE} bytes, released cl_mems wait in a per-size free list, and a training step, which
 * asks for the same shapes every time, stops creating buffers after its first iteration.
 *
 * <p>Reusing a released cl_mem for a later op is safe without waiting: the command queue is in
 * order, so every op enqueued before the release has run before any op enqueued after the reuse.
 * clReleaseMemObject is safe too: OpenCL keeps an object alive while enqueued commands use it.
 *
 * <p>Not thread-safe; owned by one {@link OpenClBackend}, which is single-caller.
 */
final class OpenClAllocator {
    /** Size classes are multiples of 512 bytes (128 floats), PyTorch's small-block rounding. */
    static final long GRANULE = 512;

    private final long context;
    private final OpenClDevice device;
    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private long bytesInUse;
    private long bytesCached;
    private long peak;

    OpenClAllocator(long context, OpenClDevice device) {
        this.context = context;
        this.device = device;
    }

    static long sizeClass(int length) {
        long bytes = Math.max(4L * length, 1);
        return (bytes + GRANULE - 1) / GRANULE * GRANULE;
    }

    OpenClBuffer allocate(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative buffer length " + length);
        }
        long bytes = sizeClass(length);
        ArrayDeque<Long> pool = free.get(bytes);
        Long cached = pool == null ? null : pool.pollLast();
        long mem;
        if (cached != null) {
            mem = cached;
            bytesCached -= bytes;
        } else {
            mem = create(bytes, length);
        }
        bytesInUse += bytes;
        peak = Math.max(peak, bytesInUse);
        return new OpenClBuffer(mem, bytes, length, this);
    }

    private long create(long bytes, int length) {
        if (bytes > device.maxAllocBytes()) {
            throw outOfMemory(bytes, length, "larger than the device's largest allocation, "
                    + String.format("%,d bytes", device.maxAllocBytes()));
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer status = stack.mallocInt(1);
            long mem = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, status);
            if (ClErrors.isOutOfMemory(status.get(0))) {
                // Cached blocks of other sizes may be what fills the device: give them back and retry once.
                emptyCache();
                mem = clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, status);
            }
            if (ClErrors.isOutOfMemory(status.get(0))) {
                throw outOfMemory(bytes, length, ClErrors.name(status.get(0)));
            }
            ClErrors.check(status.get(0), "clCreateBuffer(" + bytes + " bytes)");
            return mem;
        }
    }

    BackendException outOfMemory(long bytes, int length, String why) {
        return new BackendException(String.format(
                "opencl: out of device memory allocating %,d bytes (%,d floats) on %s: %s"
                        + " (device global memory %,d bytes, %,d bytes in use by Myelin, %,d cached)",
                bytes, length, device.info().name(), why, device.info().memoryBytes(), bytesInUse, bytesCached));
    }

    void release(OpenClBuffer buffer) {
        if (buffer.owner != this) {
            throw new IllegalArgumentException("buffer " + buffer + " belongs to another OpenCL backend");
        }
        if (buffer.released) {
            throw new IllegalStateException("buffer of " + buffer.length() + " floats released twice");
        }
        buffer.released = true;
        bytesInUse -= buffer.bytes;
        bytesCached += buffer.bytes;
        free.computeIfAbsent(buffer.bytes, k -> new ArrayDeque<>()).addLast(buffer.mem);
    }

    void emptyCache() {
        for (ArrayDeque<Long> pool : free.values()) {
            for (long mem : pool) {
                clReleaseMemObject(mem);
            }
        }
        free.clear();
        bytesCached = 0;
    }

    MemoryStats stats() {
        return new MemoryStats(bytesInUse, bytesCached, peak);
    }
}
