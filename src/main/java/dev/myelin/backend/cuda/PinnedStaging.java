package dev.myelin.backend.cuda;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Pinned (page-locked) host blocks that uploads are staged through. cuMemcpyHtoDAsync is only
 * asynchronous from pinned memory (from pageable memory the driver copies synchronously first), and
 * the staging block must stay untouched until the copy has run: a block taken for an upload is
 * "in flight" until the backend has waited for the stream ({@link #streamDrained()}), then it returns
 * to a pool by size class, so a training loop stops calling cuMemAllocHost (which is slow) after its
 * first step.
 *
 * <p>Not thread-safe; owned by one {@link CudaBackend}.
 */
final class PinnedStaging<B> {
    /** Uploads are cut into pieces of at most this, so staging never needs one huge pinned block. */
    static final long CHUNK_BYTES = 16L << 20;
    /** Size classes are powers of two from here. */
    static final long MIN_BLOCK = 64L << 10;
    /** In-flight staging beyond this makes the backend wait for the stream, bounding pinned memory. */
    static final long MAX_IN_FLIGHT = 64L << 20;
    /** Free blocks beyond this are given back to the driver when the stream drains. */
    static final long MAX_CACHED = 128L << 20;

    /** A staging block and its size class. */
    record Block<B>(B block, long bytes) {
    }

    private final HostMemory<B> memory;
    private final Map<Long, ArrayDeque<B>> free = new HashMap<>();
    private final List<Block<B>> inFlight = new ArrayList<>();
    private long inFlightBytes;
    private long cachedBytes;

    PinnedStaging(HostMemory<B> memory) {
        this.memory = memory;
    }

    static long sizeClass(long bytes) {
        if (bytes < 1 || bytes > CHUNK_BYTES) {
            throw new IllegalArgumentException("staging block of " + bytes + " bytes (1 to " + CHUNK_BYTES + ")");
        }
        return Math.max(MIN_BLOCK, nextPowerOfTwo(bytes));
    }

    private static long nextPowerOfTwo(long bytes) {
        long p = Long.highestOneBit(bytes);
        return p == bytes ? p : p << 1;
    }

    /** A block of at least {@code bytes} (at most {@link #CHUNK_BYTES}), in flight until {@link #streamDrained()}. */
    Block<B> take(long bytes) {
        long size = sizeClass(bytes);
        ArrayDeque<B> pool = free.get(size);
        B block = pool == null ? null : pool.pollLast();
        if (block != null) {
            cachedBytes -= size;
        } else {
            block = memory.allocate(size);
        }
        Block<B> taken = new Block<>(block, size);
        inFlight.add(taken);
        inFlightBytes += size;
        return taken;
    }

    /** True when the caller should wait for the stream (and then call {@link #streamDrained()}). */
    boolean overLimit() {
        return inFlightBytes > MAX_IN_FLIGHT;
    }

    /** Every copy enqueued so far has run: in-flight blocks may be reused. */
    void streamDrained() {
        for (Block<B> b : inFlight) {
            if (cachedBytes + b.bytes() > MAX_CACHED) {
                memory.free(b.block());
            } else {
                free.computeIfAbsent(b.bytes(), k -> new ArrayDeque<>()).addLast(b.block());
                cachedBytes += b.bytes();
            }
        }
        inFlight.clear();
        inFlightBytes = 0;
    }

    long inFlightBytes() {
        return inFlightBytes;
    }

    long cachedBytes() {
        return cachedBytes;
    }

    /** Frees every block; only after the stream has drained. */
    void close() {
        streamDrained();
        for (ArrayDeque<B> pool : free.values()) {
            for (B block : pool) {
                memory.free(block);
            }
        }
        free.clear();
        cachedBytes = 0;
    }
}
