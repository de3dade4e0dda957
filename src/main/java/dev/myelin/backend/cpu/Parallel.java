package dev.myelin.backend.cpu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits index ranges over the CPU backend's cores. Small ranges run on the caller: handing work to
 * another thread costs microseconds, which is more than a short loop takes.
 *
 * <p>A parallel region cuts the range into {@code threads()} chunks ({@link #forRange}) or one chunk
 * per index ({@link #forEach}, for a few large units of work). The calling thread and
 * {@code threads() - 1} dedicated worker threads each claim chunks until none are left, and the caller
 * returns when every chunk has finished. On a quiet machine each thread runs one chunk; when a worker
 * is slow to start (the OS gave its core to another process), the caller claims that chunk itself,
 * so a busy machine degrades to serial speed rather than waiting on a descheduled thread.
 *
 * <p>The former scheduler, a fork/join pool invoked from the caller, parked the caller and let the
 * pool's first worker fork its sibling; in about half of the calls to a 2048 SGEMM the sibling then
 * ran after the first chunk on the same worker (bimodal timings: ~135 or ~280 GFLOP/s).
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
        run(n, Math.min(THREADS, n), costPerItem, body);
    }

    /**
     * Runs body over [0, n) one index at a time, each index claimed by whichever thread is free, or
     * all on the caller when n * costPerItem is below the threshold where splitting pays. For a few
     * large units of work: on a shared machine one core often runs much slower than the other (a
     * 2048 SGEMM measured 140 and 90 GFLOP/s per core at the same time), and an even split waits for
     * the slower core, where claiming lets the faster one take more units.
     */
    public static void forEach(int n, long costPerItem, RangeBody body) {
        run(n, n, costPerItem, body);
    }

    private static void run(int n, int chunks, long costPerItem, RangeBody body) {
        if (THREADS == 1 || n < 2 || (long) n * costPerItem < 32_768
                || Thread.currentThread() instanceof Worker || !BUSY.compareAndSet(false, true)) {
            body.run(0, n);
            return;
        }
        try {
            Job job = new Job(body, n, chunks, Thread.currentThread());
            for (int i = 0; i < Math.min(THREADS, chunks) - 1; i++) {
                WORKERS[i].hand(job);
            }
            job.runChunks();
            job.awaitAll();
            if (job.failure instanceof RuntimeException e) {
                throw e;
            }
            if (job.failure instanceof Error e) {
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

    /** One parallel region: the body, its split, the next chunk to claim and the count finished. */
    private static final class Job {
        final RangeBody body;
        final int n;
        final int chunks;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        volatile Throwable failure;

        Job(RangeBody body, int n, int chunks, Thread caller) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.caller = caller;
        }

        /** Claims and runs chunks until none are left. A failure is kept for the caller to rethrow. */
        void runChunks() {
            for (int chunk; (chunk = next.getAndIncrement()) < chunks; ) {
                try {
                    body.run((int) ((long) n * chunk / chunks), (int) ((long) n * (chunk + 1) / chunks));
                } catch (Throwable t) {
                    if (failure == null) {
                        failure = t;
                    }
                }
                if (finished.incrementAndGet() == chunks && Thread.currentThread() != caller) {
                    LockSupport.unpark(caller);
                }
            }
        }

        void awaitAll() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (finished.get() < chunks) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, 100_000);
                }
            }
        }
    }

    /** A daemon thread that helps with the job it is handed, then waits for the next. */
    private static final class Worker extends Thread {
        private static final VarHandle JOB;

        static {
            try {
                JOB = MethodHandles.lookup().findVarHandle(Worker.class, "job", Job.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private volatile Job job;

        Worker(int index) {
            super("myelin-cpu-" + index);
            setDaemon(true);
        }

        void hand(Job next) {
            job = next;
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            while (true) {
                Job current = awaitJob();
                current.runChunks();
                // A newer job may have been handed while this one finished: clear only the one just done.
                JOB.compareAndSet(this, current, null);
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
