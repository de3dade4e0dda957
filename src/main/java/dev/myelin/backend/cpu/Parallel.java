package dev.myelin.backend.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits index ranges over the CPU backend's cores. Small ranges run on the caller: handing work to
 * another thread costs microseconds, which is more than a short loop takes.
 *
 * <p>The calling thread always runs the first chunk itself, and each other chunk goes to its own
 * dedicated worker thread ({@code threads() - 1} of them), so exactly {@code threads()} threads
 * compute and no chunk can fall back onto a thread that already has one. A fork/join pool (the former
 * scheduler) lets the forking thread run a sibling that no idle worker has stolen yet; on this 2-core
 * machine that happened in about half of the calls to a 2048 SGEMM, which then ran on one core
 * (bimodal timings: ~135 or ~280 GFLOP/s for the same product).
 *
 * <p>One parallel region runs at a time. A call made while another is running (from a second
 * application thread, or from inside a body) runs serially on its caller rather than queueing.
 */
public final class Parallel {
    private static final int THREADS = Math.max(1,
            Integer.getInteger("myelin.threads", Runtime.getRuntime().availableProcessors()));
    /** How long a waiting thread spins before it parks: covers the gap between consecutive ops of a step. */
    private static final long SPIN_NANOS = 50_000;

    private static final Worker[] WORKERS = startWorkers();
    private static final AtomicBoolean BUSY = new AtomicBoolean();

    private Parallel() {
    }

    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    public static int threads() {
        return THREADS;
    }

    /**
     * Runs body over [0, n) in up to {@link #threads()} contiguous chunks, or on the caller when
     * n * costPerItem is below the threshold where splitting pays.
     *
     * @param costPerItem rough work per index, in element-operations (1 for an element-wise op,
     *                    the row length for a row-wise op)
     */
    public static void forRange(int n, long costPerItem, RangeBody body) {
        if (THREADS == 1 || n < 2 || (long) n * costPerItem < 32_768
                || Thread.currentThread() instanceof Worker || !BUSY.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            int chunks = Math.min(THREADS, n);
            Job job = new Job(body, n, chunks, Thread.currentThread());
            for (int i = 1; i < chunks; i++) {
                WORKERS[i - 1].hand(job, i);
            }
            Throwable mine = null;
            try {
                job.runChunk(0);
            } catch (Throwable t) {
                mine = t;
            }
            job.awaitWorkers();
            Throwable failure = mine != null ? mine : job.failure;
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
        } finally {
            BUSY.set(false);
        }
    }

    private static Worker[] startWorkers() {
        Worker[] workers = new Worker[THREADS - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
        return workers;
    }

    /** One parallel region: the body, its split, and the count of worker chunks still running. */
    private static final class Job {
        final RangeBody body;
        final int n;
        final int chunks;
        final Thread caller;
        final AtomicInteger pending;
        volatile Throwable failure;

        Job(RangeBody body, int n, int chunks, Thread caller) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.caller = caller;
            this.pending = new AtomicInteger(chunks - 1);
        }

        void runChunk(int chunk) {
            int from = (int) ((long) n * chunk / chunks);
            int to = (int) ((long) n * (chunk + 1) / chunks);
            body.run(from, to);
        }

        void workerDone(Throwable t) {
            if (t != null && failure == null) {
                failure = t;
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }

        void awaitWorkers() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (pending.get() > 0) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 100_000);
                }
            }
        }
    }

    /** A daemon thread that runs the chunk it is handed, then waits for the next. */
    private static final class Worker extends Thread {
        private volatile Job job;
        private int chunk;

        Worker(int index) {
            super("myelin-cpu-" + index);
            setDaemon(true);
        }

        void hand(Job next, int nextChunk) {
            chunk = nextChunk; // published by the volatile write of job below
            job = next;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            while (true) {
                Job current = awaitJob();
                Throwable failure = null;
                try {
                    current.runChunk(chunk);
                } catch (Throwable t) {
                    failure = t;
                }
                job = null;
                current.workerDone(failure);
            }
        }

        private Job awaitJob() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            Job current;
            while ((current = job) == null) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            return current;
        }
    }
}
