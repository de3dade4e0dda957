package dev.myelin.bench;

import dev.myelin.autograd.Ops;
import dev.myelin.autograd.RecurrentOps;
import dev.myelin.backend.Backend;
import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.tensor.Scope;
import dev.myelin.tensor.Tensor;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Forward + backward of one {@link SequenceOps#lstm} (or gru/rnn) layer over a chunk, timed after a
 * warm-up: the median of the timed repetitions, and its forward alone. Not JMH: one JVM, as
 * GemmThroughput. Needs only the main classes, so it also runs straight off target/classes:
 * {@code java --add-modules jdk.incubator.vector -cp target/classes:benchmarks/target/classes
 * dev.myelin.bench.RecurrentTiming [lstm|gru|rnn] [batch] [steps] [input] [hidden] [reps]}
 * (defaults lstm 32 128 256 256 10).
 */
public final class RecurrentTiming {
    private RecurrentTiming() {
    }

    public static void main(String[] args) {
        String cell = args.length > 0 ? args[0] : "lstm";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int input = args.length > 3 ? Integer.parseInt(args[3]) : 256;
        int hidden = args.length > 4 ? Integer.parseInt(args[4]) : 256;
        int reps = args.length > 5 ? Integer.parseInt(args[5]) : 10;
        int gates = switch (cell) {
            case "lstm" -> 4;
            case "gru" -> 3;
            case "rnn" -> 1;
            default -> throw new IllegalArgumentException("cell must be lstm, gru or rnn, got " + cell);
        };
        Backend be = new CpuBackend();
        SplittableRandom r = new SplittableRandom(1);
        float scale = (float) (1 / Math.sqrt(hidden));
        Tensor x = Tensor.owned(be, dev.myelin.tensor.Shape.of(batch, steps, input));
        Tensor wIh = Tensor.owned(be, dev.myelin.tensor.Shape.of(gates * hidden, input)).requiresGrad(true);
        Tensor wHh = Tensor.owned(be, dev.myelin.tensor.Shape.of(gates * hidden, hidden)).requiresGrad(true);
        Tensor bIh = Tensor.owned(be, dev.myelin.tensor.Shape.of(gates * hidden)).requiresGrad(true);
        Tensor bHh = Tensor.owned(be, dev.myelin.tensor.Shape.of(gates * hidden)).requiresGrad(true);
        for (Tensor t : new Tensor[]{x, wIh, wHh, bIh, bHh}) {
            float[] v = new float[t.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((r.nextDouble() * 2 - 1) * (t == x ? 1 : scale));
            }
            be.upload(v, 0, t.buffer(), 0, v.length);
        }
        System.out.printf("# %s B=%d T=%d I=%d H=%d, %s, java %s%n", cell, batch, steps, input, hidden,
                be.description(), Runtime.version());
        long warmupEnd = System.nanoTime() + 8_000_000_000L;
        int warm = 0;
        while (System.nanoTime() < warmupEnd || warm < 3) {
            step(cell, x, wIh, wHh, bIh, bHh, null);
            warm++;
        }
        double[] total = new double[reps];
        double[] forward = new double[reps];
        double[] cpu = new double[reps];
        for (int i = 0; i < reps; i++) {
            long[] marks = new long[3];
            long cpu0 = processCpuNanos();
            step(cell, x, wIh, wHh, bIh, bHh, marks);
            cpu[i] = (processCpuNanos() - cpu0) / 1e6;
            forward[i] = (marks[1] - marks[0]) / 1e6;
            total[i] = (marks[2] - marks[0]) / 1e6;
        }
        Arrays.sort(total);
        Arrays.sort(forward);
        Arrays.sort(cpu);
        System.out.printf("forward+backward: median %.1f ms (min %.1f, max %.1f); forward alone: median %.1f ms;"
                        + " CPU time (all threads) median %.1f ms (%d warm-up steps)%n",
                total[reps / 2], total[0], total[reps - 1], forward[reps / 2], cpu[reps / 2], warm);
        be.close();
    }

    /** CPU time of every live thread, summed: on a shared machine, steadier than wall time (see GemmThroughput). */
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

    private static void step(String cell, Tensor x, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh, long[] marks) {
        try (var scope = Scope.open()) {
            long t0 = System.nanoTime();
            var result = switch (cell) {
                case "lstm" -> RecurrentOps.lstm(x, null, null, wIh, wHh, bIh, bHh);
                case "gru" -> RecurrentOps.gru(x, null, wIh, wHh, bIh, bHh);
                default -> RecurrentOps.rnn(x, null, wIh, wHh, bIh, bHh);
            };
            Tensor loss = Ops.sum(result.output());
            long t1 = System.nanoTime();
            loss.backward();
            long t2 = System.nanoTime();
            if (marks != null) {
                marks[0] = t0;
                marks[1] = t1;
                marks[2] = t2;
            }
        }
        for (Tensor p : new Tensor[]{wIh, wHh, bIh, bHh}) {
            p.zeroGrad();
        }
    }
}
