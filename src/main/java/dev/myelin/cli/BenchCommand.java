package dev.myelin.cli;

import com.google.gson.GsonBuilder;
import dev.myelin.backend.Backend;
import dev.myelin.backend.Backends;
import dev.myelin.backend.Buffer;
import dev.myelin.data.DataLoader;
import dev.myelin.nn.Module;
import dev.myelin.optim.Adam;
import dev.myelin.optim.Optimizer;
import dev.myelin.optim.Sgd;
import dev.myelin.train.Models;
import dev.myelin.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Quick throughput figures from the command line. JMH (benchmarks/) is the rigorous suite; this gives
 * a number in seconds, on any backend, without a build of the benchmarks.
 */
@Command(name = "bench", description = "Measure GEMM GFLOP/s or training steps/s.",
        subcommands = {BenchCommand.Gemm.class, BenchCommand.Step.class})
final class BenchCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "bench needs a workload: gemm or step");
    }

    /** Options every workload shares. */
    static final class Common {
        @Option(names = "--backend", defaultValue = "${env:MYELIN_BACKEND:-auto}", description = "auto, cpu, opencl or cuda.")
        String backend;

        @Option(names = "--warmup", defaultValue = "5", description = "Untimed repetitions first (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--warmup-seconds", defaultValue = "2",
                description = "Keep warming up at least this long, so the JIT has compiled the kernels (default: ${DEFAULT-VALUE}).")
        double warmupSeconds;

        @Option(names = "--reps", defaultValue = "20", description = "Timed repetitions (default: ${DEFAULT-VALUE}).")
        int reps;

        @Option(names = "--json", description = "Print one JSON object.")
        boolean json;

        void validate(CommandLine cl) {
            if (warmup < 0 || reps < 1 || warmupSeconds < 0) {
                throw new CommandLine.ParameterException(cl, "--warmup and --warmup-seconds must be >= 0 and --reps >= 1");
            }
        }
    }

    /** Seconds of each timed repetition, sorted. */
    static double[] time(Common common, Backend backend, Runnable body) {
        if (backend.kind() == dev.myelin.backend.BackendKind.CPU) {
            // What train does before its first step, so that the repetitions below meet compiled kernels.
            dev.myelin.backend.cpu.CpuWarmUp.start(dev.myelin.backend.cpu.CpuWarmUp.Kernels.DENSE);
            dev.myelin.backend.cpu.CpuWarmUp.awaitDone();
        }
        long warmupEnd = System.nanoTime() + (long) (common.warmupSeconds * 1e9);
        for (int i = 0; i < common.warmup || System.nanoTime() < warmupEnd; i++) {
            body.run();
        }
        backend.synchronize();
        double[] seconds = new double[common.reps];
        for (int i = 0; i < common.reps; i++) {
            long start = System.nanoTime();
            body.run();
            backend.synchronize();
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        return seconds;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static void print(PrintWriter out, boolean json, Map<String, Object> result, String text) {
        out.println(json ? new GsonBuilder().disableHtmlEscaping().create().toJson(result) : text);
        out.flush();
    }

    @Command(name = "gemm", description = "C = op(A) op(B) for A [m, k], B [k, n]: GFLOP/s, best and median.")
    static final class Gemm implements Callable<Integer> {
        @CommandLine.Mixin
        Common common = new Common();

        @Option(names = "--m", defaultValue = "1024") int m;
        @Option(names = "--n", defaultValue = "1024") int n;
        @Option(names = "--k", defaultValue = "1024") int k;
        @Option(names = "--trans-a", description = "A stored [k, m].") boolean transA;
        @Option(names = "--trans-b", description = "B stored [n, k].") boolean transB;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            common.validate(spec.commandLine());
            if (m < 1 || n < 1 || k < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--m, --n and --k must be >= 1");
            }
            try (Backend backend = Backends.open(common.backend).backend()) {
                Buffer a = random(backend, m * k, 1);
                Buffer b = random(backend, k * n, 2);
                Buffer c = backend.allocate(m * n);
                double[] seconds = time(common, backend,
                        () -> backend.gemm(transA, transB, m, n, k, 1f, a, b, 0f, c));
                double flops = 2.0 * m * n * k;
                double best = flops / seconds[0] / 1e9;
                double median = flops / median(seconds) / 1e9;
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("workload", "gemm");
                result.put("backend", backend.kind().id());
                result.put("description", backend.description());
                result.put("m", m);
                result.put("n", n);
                result.put("k", k);
                result.put("trans_a", transA);
                result.put("trans_b", transB);
                result.put("gflops_best", best);
                result.put("gflops_median", median);
                result.put("reps", common.reps);
                print(spec.commandLine().getOut(), common.json, result, String.format(
                        "gemm %dx%dx%d%s%s on %s: %.1f GFLOP/s best, %.1f median (%d reps)", m, n, k,
                        transA ? " A^T" : "", transB ? " B^T" : "", backend.description(), best, median, common.reps));
                backend.release(a);
                backend.release(b);
                backend.release(c);
            }
            return Main.EXIT_OK;
        }

        private static Buffer random(Backend backend, int length, long seed) {
            float[] values = new float[length];
            var random = new SplittableRandom(seed);
            for (int i = 0; i < length; i++) {
                values[i] = (float) random.nextDouble(-1, 1);
            }
            Buffer buffer = backend.allocate(length);
            backend.upload(values, 0, buffer, 0, length);
            return buffer;
        }
    }

    @Command(name = "step", description = "Training steps/s of a model on random data (forward, backward, update).")
    static final class Step implements Callable<Integer> {
        @CommandLine.Mixin
        Common common = new Common();

        @Option(names = "--model", defaultValue = "mlp", description = "mlp or mlp-large (default: ${DEFAULT-VALUE}).")
        String model;

        @Option(names = "--batch-size", defaultValue = "128") int batchSize;
        @Option(names = "--optimizer", defaultValue = "adam", description = "adam or sgd (default: ${DEFAULT-VALUE}).") String optimizer;
        @Option(names = "--lr", defaultValue = "1e-3") float lr;
        @Option(names = "--momentum", defaultValue = "0") float momentum;
        @Option(names = "--steps", description = "Timed training steps: another name for --reps here.")
        Integer steps;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (steps != null) {
                if (spec.commandLine().getParseResult().hasMatchedOption("--reps") && steps != common.reps) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--steps " + steps + " and --reps " + common.reps + " disagree: give one of them");
                }
                common.reps = steps;
            }
            common.validate(spec.commandLine());
            if (!Models.NAMES.contains(model)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "unknown --model '" + model + "' (expected one of " + Models.NAMES + ")");
            }
            if (batchSize < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--batch-size must be >= 1");
            }
            int features = 784;
            float[] x = new float[batchSize * features];
            float[] y = new float[batchSize];
            var random = new SplittableRandom(1);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextDouble();
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = random.nextInt(10);
            }
            DataLoader.Batch batch = new DataLoader.Batch(x, y, batchSize);
            try (Backend backend = Backends.open(common.backend).backend()) {
                Module net = Models.create(model, backend, features, 10, 42);
                Optimizer opt = switch (optimizer) {
                    case "adam" -> new Adam(net.parameters(), lr);
                    case "sgd" -> new Sgd(net.parameters(), lr, momentum, 0f, false);
                    default -> throw new CommandLine.ParameterException(spec.commandLine(), "--optimizer must be adam or sgd");
                };
                double[] seconds;
                try (Trainer trainer = new Trainer(net, opt)) {
                    seconds = time(common, backend, () -> trainer.step(batch, features));
                } finally {
                    opt.close();
                    net.close();
                }
                double stepsPerSecond = 1 / median(seconds);
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("workload", "step");
                result.put("backend", backend.kind().id());
                result.put("description", backend.description());
                result.put("model", model);
                result.put("batch_size", batchSize);
                result.put("optimizer", optimizer);
                result.put("steps_per_second_median", stepsPerSecond);
                result.put("steps_per_second_best", 1 / seconds[0]);
                result.put("samples_per_second_median", stepsPerSecond * batchSize);
                result.put("reps", common.reps);
                print(spec.commandLine().getOut(), common.json, result, String.format(
                        "step %s batch %d %s on %s: %.1f steps/s (%,.0f samples/s) median, %.1f best (%d reps)",
                        model, batchSize, optimizer, backend.description(), stepsPerSecond, stepsPerSecond * batchSize,
                        1 / seconds[0], common.reps));
            }
            return Main.EXIT_OK;
        }
    }
}
