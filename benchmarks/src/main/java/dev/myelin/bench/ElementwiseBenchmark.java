package dev.myelin.bench;

import dev.myelin.backend.Activation;
import dev.myelin.backend.Backend;
import dev.myelin.backend.BinaryOp;
import dev.myelin.backend.Broadcast;
import dev.myelin.backend.Buffer;
import dev.myelin.backend.UnaryOp;
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
 * The memory-bound ops around each Linear layer: bias add (ROW broadcast), ReLU, and ReLU's
 * backward. Bandwidth = bytes touched / time (e.g. 12 bytes per element for the bias add).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ElementwiseBenchmark {
    @Param({"cpu"})
    public String backend;

    /** ROWSxCOLS: an MLP hidden activation at batch 128, and a large one that misses the caches. */
    @Param({"128x512", "1024x4096"})
    public String shape;

    private Backend be;
    private int rows;
    private int cols;
    private Buffer x;
    private Buffer bias;
    private Buffer y;
    private Buffer dy;
    private Buffer dx;

    @Setup(Level.Trial)
    public void setUp() {
        int[] dims = BackendState.dims(shape);
        rows = dims[0];
        cols = dims[1];
        be = BackendState.open(backend);
        x = BackendState.random(be, rows * cols, -1f, 1f, 1);
        bias = BackendState.random(be, cols, -1f, 1f, 2);
        dy = BackendState.random(be, rows * cols, -1f, 1f, 3);
        y = be.allocate(rows * cols);
        dx = be.allocate(rows * cols);
        be.unary(UnaryOp.RELU, x, y, rows * cols);
    }

    @Benchmark
    public void addRowBroadcast() {
        be.binary(BinaryOp.ADD, x, bias, y, rows, cols, Broadcast.ROW);
        be.synchronize();
    }

    @Benchmark
    public void relu() {
        be.unary(UnaryOp.RELU, x, y, rows * cols);
        be.synchronize();
    }

    @Benchmark
    public void reluBackward() {
        be.activationBackward(Activation.RELU, y, dy, dx, rows * cols);
        be.synchronize();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        for (Buffer buffer : new Buffer[] {x, bias, y, dy, dx}) {
            be.release(buffer);
        }
        be.close();
    }
}
