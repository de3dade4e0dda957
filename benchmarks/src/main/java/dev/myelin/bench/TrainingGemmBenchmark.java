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

/**
 * The GEMMs of an MLP's training step. A shape is "MxNxK:OP": op(A) is [M,K], op(B) is [K,N], OP
 * gives the transposes. For a Linear layer with batch b, in features i, out features o
 * (x [b,i], W [o,i], dy [b,o]):
 * <ul>
 *   <li>forward y = x * W^T: {@code b x o x i : NT}</li>
 *   <li>input gradient dx = dy * W: {@code b x i x o : NN}</li>
 *   <li>weight gradient dW = dy^T * x: {@code o x i x b : TN}</li>
 * </ul>
 * The defaults are the 784-512-256 MNIST MLP at batch 128 and a 4096-wide layer at batch 256.
 * GFLOP/s = 2 * M * N * K / (time per op); gemm_numpy.py takes the same shape strings.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TrainingGemmBenchmark {
    @Param({"cpu"})
    public String backend;

    @Param({
            "128x512x784:NT", "128x784x512:NN", "512x784x128:TN",
            "128x256x512:NT", "128x512x256:NN", "256x512x128:TN",
            "256x4096x4096:NT", "256x4096x4096:NN", "4096x4096x256:TN",
    })
    public String shape;

    private Backend be;
    private Buffer a;
    private Buffer b;
    private Buffer c;
    private int m;
    private int n;
    private int k;
    private boolean transA;
    private boolean transB;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = shape.split(":");
        int[] dims = BackendState.dims(parts[0]);
        m = dims[0];
        n = dims[1];
        k = dims[2];
        String op = parts.length > 1 ? parts[1] : "NN";
        transA = op.charAt(0) == 'T';
        transB = op.charAt(1) == 'T';
        be = BackendState.open(backend);
        a = BackendState.random(be, m * k, -1f, 1f, 1);
        b = BackendState.random(be, k * n, -1f, 1f, 2);
        c = be.allocate(m * n);
    }

    @Benchmark
    public void sgemm() {
        be.gemm(transA, transB, m, n, k, 1f, a, b, 0f, c);
        be.synchronize();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        be.release(a);
        be.release(b);
        be.release(c);
        be.close();
    }
}
