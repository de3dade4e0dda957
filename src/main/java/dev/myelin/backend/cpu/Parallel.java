package dev.myelin.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * Splits index ranges over the CPU backend's worker pool. Small ranges run on the caller: forking
 * costs microseconds, which is more than a short loop takes.
 */
public final class Parallel {
    /** One pool for the process: every op shares the same cores. */
    private static final ForkJoinPool POOL = new ForkJoinPool(Runtime.getRuntime().availableProcessors(),
            pool -> {
                var thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                thread.setName("myelin-cpu-" + thread.getPoolIndex());
                thread.setDaemon(true);
                return thread;
            }, null, false);

    private Parallel() {
    }

    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    public static int threads() {
        return POOL.getParallelism();
    }

    /**
     * Runs body over [0, n) in up to {@link #threads()} contiguous chunks, or on the caller when
     * n * costPerItem is below the threshold where forking pays.
     *
     * @param costPerItem rough work per index, in element-operations (1 for an element-wise op,
     *                    the row length for a row-wise op)
     */
    public static void forRange(int n, long costPerItem, RangeBody body) {
        int threads = threads();
        if (threads == 1 || n < 2 || (long) n * costPerItem < 32_768 || (Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread w && w.getPool() == POOL)) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(threads, n);
        POOL.invoke(new Chunk(body, n, chunks, 0, chunks));
    }

    private static final class Chunk extends RecursiveAction {
        private final RangeBody body;
        private final int n;
        private final int chunks;
        private final int lo;
        private final int hi;

        Chunk(RangeBody body, int n, int chunks, int lo, int hi) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                int from = (int) ((long) n * lo / chunks);
                int to = (int) ((long) n * (lo + 1) / chunks);
                body.run(from, to);
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Chunk(body, n, chunks, lo, mid), new Chunk(body, n, chunks, mid, hi));
        }
    }
}
