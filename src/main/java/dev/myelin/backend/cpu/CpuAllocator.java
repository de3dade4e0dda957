package dev.myelin.backend.cpu;

import dev.myelin.backend.BackendException;
import dev.myelin.backend.MemoryStats;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Pools arrays by exact length, the way PyTorch's caching allocator pools device blocks: a training
 * step asks for the same shapes every time, so after the first step every request is a hit and the
 * garbage collector has nothing to do.
 */
final class CpuAllocator {
    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private long bytesInUse;
    private long bytesCached;
    private long peak;

    synchronized CpuBuffer allocate(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative buffer length " + length);
        }
        ArrayDeque<float[]> pool = free.get(length);
        float[] array = pool == null ? null : pool.pollLast();
        long bytes = 4L * length;
        if (array != null) {
            bytesCached -= bytes;
        } else {
            try {
                array = new float[length];
            } catch (OutOfMemoryError e) {
                emptyCache();
                try {
                    array = new float[length];
                } catch (OutOfMemoryError again) {
                    Runtime rt = Runtime.getRuntime();
                    throw new BackendException(String.format(
                            "cpu: out of memory allocating %,d bytes (%,d bytes in use by Myelin, JVM max heap %,d bytes; raise -Xmx)",
                            bytes, bytesInUse, rt.maxMemory()));
                }
            }
        }
        bytesInUse += bytes;
        peak = Math.max(peak, bytesInUse);
        return new CpuBuffer(array);
    }

    synchronized void release(CpuBuffer buffer) {
        if (buffer.released) {
            throw new IllegalStateException("buffer of " + buffer.length() + " floats released twice");
        }
        buffer.released = true;
        long bytes = 4L * buffer.length();
        bytesInUse -= bytes;
        bytesCached += bytes;
        free.computeIfAbsent(buffer.length(), k -> new ArrayDeque<>()).addLast(buffer.data);
    }

    synchronized void emptyCache() {
        free.clear();
        bytesCached = 0;
    }

    synchronized MemoryStats stats() {
        return new MemoryStats(bytesInUse, bytesCached, peak);
    }
}
