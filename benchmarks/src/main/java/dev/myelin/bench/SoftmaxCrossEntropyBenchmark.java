package dev.myelin.bench;

import dev.myelin.backend.Backend;
import dev.myelin.backend.Buffer;
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

/** The fused loss head, forward and backward: MNIST's 128x10 and wider class counts. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class SoftmaxCrossEntropyBenchmark {
    @Param({"cpu"})
    public String backend;

    /** ROWSxCLASSES. */
    @Param({"128x10", "1024x1000"})
    public String shape;

    private Backend be;
    private int rows;
    private int cols;
    private Buffer logits;
    private Buffer labels;
    private Buffer probs;
    private Buffer losses;
    private Buffer dlogits;

    @Setup(Level.Trial)
    public void setUp() {
        int[] dims = BackendState.dims(shape);
        rows = dims[0];
        cols = dims[1];
        be = BackendState.open(backend);
        logits = BackendState.random(be, rows * cols, -5f, 5f, 1);
        float[] host = new float[rows];
        for (int r = 0; r < rows; r++) {
            host[r] = (r * 7919) % cols;
        }
        labels = be.allocate(rows);
        be.upload(host, 0, labels, 0, rows);
        probs = be.allocate(rows * cols);
        losses = be.allocate(rows);
        dlogits = be.allocate(rows * cols);
        be.softmaxCrossEntropy(logits, labels, probs, losses, rows, cols);
    }

    @Benchmark
    public void forward() {
        be.softmaxCrossEntropy(logits, labels, probs, losses, rows, cols);
        be.synchronize();
    }

    @Benchmark
    public void backward() {
        be.softmaxCrossEntropyBackward(probs, labels, dlogits, rows, cols, 1f / rows);
        be.synchronize();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        for (Buffer buffer : new Buffer[] {logits, labels, probs, losses, dlogits}) {
            be.release(buffer);
        }
        be.close();
    }
}
