package dev.myelin.bench;

import dev.myelin.backend.Backend;
import dev.myelin.data.DataLoader;
import dev.myelin.nn.Module;
import dev.myelin.optim.Adam;
import dev.myelin.optim.Optimizer;
import dev.myelin.optim.Sgd;
import dev.myelin.train.Models;
import dev.myelin.train.Trainer;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One whole training step through the nn layer, as {@code train} runs it: forward, softmax
 * cross-entropy, backward, optimizer update ({@link Trainer#step}). The batch is random and fixed,
 * so data loading is not measured.
 *
 * <p>{@code config} is "MODEL:BATCH:OPTIMIZER": {@code mlp:128:adam} is W2's step (784-512-256-10,
 * Adam 1e-3), {@code mlp-large:256:sgd} W4's (784-4096-4096-10, SGD lr 0.01 momentum 0.9).
 * {@code myelin bench step} measures the same step outside JMH.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TrainingStepBenchmark {
    private static final int FEATURES = 784;
    private static final int CLASSES = 10;

    @Param({"cpu"})
    public String backend;

    @Param({"mlp:128:adam", "mlp-large:256:sgd"})
    public String config;

    private Backend be;
    private Module net;
    private Optimizer opt;
    private Trainer trainer;
    private DataLoader.Batch batch;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = config.split(":");
        if (parts.length != 3) {
            throw new IllegalArgumentException("config '" + config + "': expected MODEL:BATCH:OPTIMIZER");
        }
        String model = parts[0];
        int batchSize = Integer.parseInt(parts[1]);
        be = BackendState.open(backend);
        net = Models.create(model, be, FEATURES, CLASSES, 42);
        opt = switch (parts[2]) {
            case "adam" -> new Adam(net.parameters(), 1e-3f);
            case "sgd" -> new Sgd(net.parameters(), 0.01f, 0.9f, 0f, false);
            default -> throw new IllegalArgumentException("config '" + config + "': optimizer must be adam or sgd");
        };
        trainer = new Trainer(net, opt);
        SplittableRandom random = new SplittableRandom(1);
        float[] x = new float[batchSize * FEATURES];
        float[] y = new float[batchSize];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = random.nextInt(CLASSES);
        }
        batch = new DataLoader.Batch(x, y, batchSize);
    }

    @Benchmark
    public void step() {
        trainer.step(batch, FEATURES);
        be.synchronize();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        trainer.close();
        opt.close();
        net.close();
        be.close();
    }
}
