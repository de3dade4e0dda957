package dev.myelin.bench;

import dev.myelin.backend.Backend;
import dev.myelin.backend.Buffer;
import java.util.Arrays;

/**
 * Myelin's twin of gemm_numpy.py: the same shape strings, the same output lines, so a comparison
 * script can run both and join on the shape. Not JMH: one JVM, warm-up, then the median of timed
 * samples, which is what the numpy side does too.
 *
 * <p>{@code java --add-modules jdk.incubator.vector -cp target/benchmarks.jar
 * dev.myelin.bench.GemmThroughput [--backend cpu] [--reps 7] 1024 128x512x784:NT ...}
 * Each line: shape, median time, GFLOP/s, and GFLOP per second of process CPU time (as gemm_numpy.py).
 * Threads: the CPU backend uses every core the JVM sees; {@code -XX:ActiveProcessorCount=1} for one.
 */
public final class GemmThroughput {
    private GemmThroughput() {
    }

    public static void main(String[] args) {
        String backendName = "cpu";
        int reps = 7;
        var shapes = new java.util.ArrayList<String>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backend" -> backendName = args[++i];
                case "--reps" -> reps = Math.max(5, Integer.parseInt(args[++i]));
                default -> shapes.add(args[i]);
            }
        }
        if (shapes.isEmpty()) {
            shapes.addAll(java.util.List.of("512", "1024", "2048"));
        }
        Backend be = BackendState.open(backendName);
        System.out.printf("# myelin %s, java %s, float32, median of %d%n", be.description(),
                Runtime.version(), reps);
        for (String shape : shapes) {
            run(be, shape, reps);
        }
        be.close();
    }

    /**
     * CPU time of every live thread, summed: what time-slicing on a shared machine does not dilute.
     * Per-thread clocks have nanosecond resolution; the JVM's process CPU time counts 10 ms ticks.
     */
    private static long processCpuNanos() {
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long id : threads.getAllThreadIds()) {
            long t = threads.getThreadCpuTime(id);
            if (t > 0) {
                sum += t;
            }
        }
        return sum;
    }

    private static void run(Backend be, String shape, int reps) {
        String[] parts = shape.split(":");
        int[] dims = BackendState.dims(parts[0]);
        int m = dims[0];
        int n = dims.length == 1 ? m : dims[1];
        int k = dims.length == 1 ? m : dims[2];
        String op = parts.length > 1 ? parts[1].toUpperCase(java.util.Locale.ROOT) : "NN";
        boolean transA = op.charAt(0) == 'T';
        boolean transB = op.charAt(1) == 'T';
        Buffer a = BackendState.random(be, m * k, -1f, 1f, 1);
        Buffer b = BackendState.random(be, k * n, -1f, 1f, 2);
        Buffer c = be.allocate(m * n);
        double flops = 2.0 * m * n * k;
        // Each sample runs >= ~50 ms (as in gemm_numpy.py); warm-up gives C2 time to compile the kernel.
        int inner = (int) Math.max(1, 5e9 / flops);
        long warmUntil = System.nanoTime() + 2_000_000_000L;
        do {
            be.gemm(transA, transB, m, n, k, 1f, a, b, 0f, c);
            be.synchronize();
        } while (System.nanoTime() < warmUntil);
        double[] seconds = new double[reps];
        double[] cpuSeconds = new double[reps];
        for (int r = 0; r < reps; r++) {
            long c0 = processCpuNanos();
            long t0 = System.nanoTime();
            for (int i = 0; i < inner; i++) {
                be.gemm(transA, transB, m, n, k, 1f, a, b, 0f, c);
            }
            be.synchronize();
            seconds[r] = (System.nanoTime() - t0) / 1e9 / inner;
            cpuSeconds[r] = (processCpuNanos() - c0) / 1e9 / inner;
        }
        Arrays.sort(seconds);
        Arrays.sort(cpuSeconds);
        double t = seconds[reps / 2];
        System.out.printf("%dx%dx%d:%s\t%.3f ms\t%.1f GFLOP/s\t%.1f GFLOP/cpu-s%n", m, n, k, op, t * 1e3,
                flops / t / 1e9, flops / cpuSeconds[reps / 2] / 1e9);
        be.release(a);
        be.release(b);
        be.release(c);
    }
}
