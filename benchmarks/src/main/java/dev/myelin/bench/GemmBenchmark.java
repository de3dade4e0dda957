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
 * Square SGEMM, C[n,n] = A[n,n] * B[n,n]. GFLOP/s = 2 * n^3 / (time per op); numpy's figure for
 * the same n comes from benchmarks/gemm_numpy.py.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBenchmark {
    @Param({"cpu"})
    public String backend;

    @Param({"256", "512", "1024", "2048"})
    public int n;

    private Backend be;
    private Buffer a;
    private Buffer b;
    private Buffer c;

    @Setup(Level.Trial)
    public void setUp() {
        be = BackendState.open(backend);
        a = BackendState.random(be, n * n, -1f, 1f, 1);
        b = BackendState.random(be, n * n, -1f, 1f, 2);
        c = be.allocate(n * n);
    }

    @Benchmark
    public void sgemm() {
        be.gemm(false, false, n, n, n, 1f, a, b, 0f, c);
        // GPU backends enqueue; the time must cover the work, not the enqueue.
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
