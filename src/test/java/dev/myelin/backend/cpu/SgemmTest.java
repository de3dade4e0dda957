package dev.myelin.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both SGEMM kernels against a double-precision triple loop, over every transpose combination,
 * several alpha/beta pairs and shapes chosen to miss the tile sizes on every side.
 */
class SgemmTest {

    /** The two implementations under test; the vector one only where the JVM has the module. */
    enum Kernel {
        SCALAR, VECTOR;

        void run(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, float[] b,
                 float beta, float[] c) {
            if (this == SCALAR) {
                Sgemm.sgemm(ta, tb, m, n, k, alpha, a, b, beta, c);
            } else {
                VectorSgemm.sgemm(ta, tb, m, n, k, alpha, a, b, beta, c);
            }
        }

        void run(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int aOff, float[] b,
                 int bOff, float beta, float[] c, int cOff) {
            if (this == SCALAR) {
                Sgemm.sgemm(ta, tb, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
            } else {
                VectorSgemm.sgemm(ta, tb, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
            }
        }
    }

    private static final int[][] SHAPES = {
            {1, 1, 1}, {1, 70, 1}, {70, 1, 1}, {1, 1, 300}, {3, 5, 7}, {17, 33, 65}, {129, 257, 63},
            {4, 64, 256}, {5, 65, 257}, {64, 128, 600}, {200, 130, 513}, {31, 1030, 19},
            {0, 5, 3}, {5, 0, 3}, {5, 7, 0},
    };

    private static final float[][] ALPHA_BETA = {{1f, 0f}, {1f, 1f}, {0.5f, -2f}, {-1.5f, 0f}, {0f, 0.25f}};

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Kernel kernel : Kernel.values()) {
            for (int[] s : SHAPES) {
                for (int t = 0; t < 4; t++) {
                    for (float[] ab : ALPHA_BETA) {
                        cases.add(Arguments.of(kernel, (t & 2) != 0, (t & 1) != 0, s[0], s[1], s[2], ab[0], ab[1]));
                    }
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} tA={1} tB={2} {3}x{4}x{5} alpha={6} beta={7}")
    @MethodSource("cases")
    void matchesDoublePrecisionReference(Kernel kernel, boolean ta, boolean tb, int m, int n, int k,
                                         float alpha, float beta) {
        assumeTrue(kernel == Kernel.SCALAR || VectorSupport.available(), "Vector API not enabled");
        SplittableRandom rnd = new SplittableRandom(31L * m + 7L * n + k);
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        float[] c = new float[m * n];
        float[] c0;
        if (beta == 0f) {
            // beta == 0 must ignore C completely, NaN included.
            Arrays.fill(c, Float.NaN);
            c0 = new float[m * n];
        } else {
            c = random(rnd, m * n);
            c0 = c.clone();
        }
        kernel.run(ta, tb, m, n, k, alpha, a, b, beta, c);

        double tol = 1e-5 * Math.max(k, 1) * 4; // |a|,|b|,|c| <= 1, |alpha|,|beta| <= 2
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[p * m + i] : a[i * k + p];
                    double bv = tb ? b[j * k + p] : b[p * n + j];
                    sum += av * bv;
                }
                double expected = alpha * sum + (beta == 0f ? 0 : beta * (double) c0[i * n + j]);
                float actual = c[i * n + j];
                assertThat((double) actual)
                        .as("C[%d,%d]", i, j)
                        .isCloseTo(expected, org.assertj.core.data.Offset.offset(tol));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void largeSquareTransposedBothWays(Kernel kernel) {
        assumeTrue(kernel == Kernel.SCALAR || VectorSupport.available(), "Vector API not enabled");
        // Bigger than every block (MC, NC, KC) so the multi-panel paths and threading run.
        int m = 300, n = 1100, k = 530;
        SplittableRandom rnd = new SplittableRandom(5);
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        float[] c = new float[m * n];
        Arrays.fill(c, Float.NaN);
        kernel.run(true, true, m, n, k, 1f, a, b, 0f, c);
        double tol = 1e-5 * k;
        for (int i = 0; i < m; i += 7) {
            for (int j = 0; j < n; j += 3) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (double) a[p * m + i] * b[j * k + p];
                }
                assertThat((double) c[i * n + j]).as("C[%d,%d]", i, j)
                        .isCloseTo(sum, org.assertj.core.data.Offset.offset(tol));
            }
        }
    }

    static Stream<Arguments> offsetCases() {
        List<Arguments> cases = new ArrayList<>();
        for (Kernel kernel : Kernel.values()) {
            for (int t = 0; t < 4; t++) {
                for (float beta : new float[] {0f, 1f}) {
                    cases.add(Arguments.of(kernel, (t & 2) != 0, (t & 1) != 0, beta));
                }
            }
        }
        return cases.stream();
    }

    /**
     * Operands that start part-way into their arrays (a batched GEMM's entries): the product matches the
     * one on copies at offset 0, bit for bit, and no element of C outside the entry is written.
     */
    @ParameterizedTest(name = "{0} tA={1} tB={2} beta={3}")
    @MethodSource("offsetCases")
    void operandsAtOffsetsMatchTheCopiedProduct(Kernel kernel, boolean ta, boolean tb, float beta) {
        assumeTrue(kernel == Kernel.SCALAR || VectorSupport.available(), "Vector API not enabled");
        int m = 37, n = 45, k = 70;
        int aOff = 3 * m * k + 5, bOff = 2 * k * n + 1, cOff = m * n + 7;
        SplittableRandom rnd = new SplittableRandom(11);
        float[] a = random(rnd, aOff + m * k + 13);
        float[] b = random(rnd, bOff + k * n + 9);
        float[] c = random(rnd, cOff + m * n + 17);
        float[] cBefore = c.clone();
        float[] expected = Arrays.copyOfRange(c, cOff, cOff + m * n);
        kernel.run(ta, tb, m, n, k, 0.75f, Arrays.copyOfRange(a, aOff, aOff + m * k),
                Arrays.copyOfRange(b, bOff, bOff + k * n), beta, expected);

        kernel.run(ta, tb, m, n, k, 0.75f, a, aOff, b, bOff, beta, c, cOff);

        assertThat(Arrays.copyOfRange(c, cOff, cOff + m * n)).containsExactly(expected);
        assertThat(Arrays.copyOfRange(c, 0, cOff)).as("C before the entry")
                .containsExactly(Arrays.copyOfRange(cBefore, 0, cOff));
        assertThat(Arrays.copyOfRange(c, cOff + m * n, c.length)).as("C after the entry")
                .containsExactly(Arrays.copyOfRange(cBefore, cOff + m * n, c.length));
    }

    static Stream<Arguments> transposesAndBetas() {
        List<Arguments> cases = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            for (float beta : new float[] {0f, 1f}) {
                cases.add(Arguments.of((t & 2) != 0, (t & 1) != 0, beta));
            }
        }
        return cases.stream();
    }

    @Test
    void productsAreSplitAsDocumented() {
        assumeTrue(VectorSupport.available(), "Vector API not enabled");
        assumeTrue(Stream.of("kc", "mc", "nc", "bpanel", "prepacked").allMatch(p -> System.getProperty("myelin." + p) == null),
                "block sizes set by myelin.* properties: the splits below are those of the default sizes");
        assertThat(VectorSgemm.split(1024, 1024, 1024, 1)).isEqualTo(VectorSgemm.Split.SERIAL);
        assertThat(VectorSgemm.split(32, 64, 64, 2)).isEqualTo(VectorSgemm.Split.SERIAL);
        // 512: four units in all, too few for two threads to balance.
        assertThat(VectorSgemm.split(512, 512, 512, 2)).isEqualTo(VectorSgemm.Split.EVEN);
        assertThat(VectorSgemm.split(1024, 1024, 1024, 2)).isEqualTo(VectorSgemm.Split.PREPACKED);
        assertThat(VectorSgemm.split(2048, 2048, 2048, 2)).isEqualTo(VectorSgemm.Split.PREPACKED);
        // Pre-packed in small units at 1024 and 1536; at 2048 in wide ones, but for the last block of rows.
        assertThat(VectorSgemm.wideUnits(1024, 1024, 2)).isFalse();
        assertThat(VectorSgemm.wideUnits(1536, 1536, 2)).isFalse();
        assertThat(VectorSgemm.wideUnits(2048, 2048, 2)).isTrue();
        // Operands of 16M floats: packed a block of B at a time, shared.
        assertThat(VectorSgemm.split(4096, 4096, 4096, 2)).isEqualTo(VectorSgemm.Split.SHARED_B);
        // W4's hidden layer: 256 rows, too few for shared blocks, and a B of 16M floats.
        assertThat(VectorSgemm.split(256, 4096, 4096, 2)).isEqualTo(VectorSgemm.Split.EVEN);
        // The MNIST MLP's first layer: too little work for the claimed splits.
        assertThat(VectorSgemm.split(128, 512, 784, 2)).isEqualTo(VectorSgemm.Split.EVEN);
    }

    /**
     * The threaded products give the serial product bit for bit: each element is summed by one thread
     * over the same panels in the same order. One product per parallel split, the rows grown from 12 past
     * a multiple of 256 (a last, partial block of rows) until the split is the one wanted; 1100 columns
     * end in a partial unit and a partial block of B, 530 of k in three unequal panels. Pre-packed: 524
     * rows with two threads. Shared B: 7948 rows, where A outgrows the pre-packed limit. Even: 100 rows.
     */
    @ParameterizedTest(name = "tA={0} tB={1} beta={2}")
    @MethodSource("transposesAndBetas")
    void threadedProductsMatchTheSerialProductBitForBit(boolean ta, boolean tb, float beta) {
        assumeTrue(VectorSupport.available(), "Vector API not enabled");
        assumeTrue(Parallel.threads() > 1, "one CPU thread (myelin.threads or the core count): nothing runs in parallel");
        for (VectorSgemm.Split split : new VectorSgemm.Split[] {
                VectorSgemm.Split.PREPACKED, VectorSgemm.Split.SHARED_B, VectorSgemm.Split.EVEN}) {
            int m = split == VectorSgemm.Split.EVEN ? 100 : 12;
            while (VectorSgemm.split(m, SPLIT_N, SPLIT_K, Parallel.threads()) != split) {
                m += 256;
                assertThat(m).as("rows for the %s split", split).isLessThan(1 << 16);
            }
            assertThreadedProductIsTheSerialOne(m, ta, tb, beta);
        }
    }

    /**
     * The same for the pre-packed product in wide units: rows grown until there are enough of them (2572
     * with two threads: five blocks of wide units, then 12 rows in small ones, two of them empty). With
     * more than four threads the pre-packed operands would outgrow their limit first.
     */
    @ParameterizedTest(name = "tA={0} tB={1} beta={2}")
    @MethodSource("transposesAndBetas")
    void wideUnitsMatchTheSerialProductBitForBit(boolean ta, boolean tb, float beta) {
        assumeTrue(VectorSupport.available(), "Vector API not enabled");
        int threads = Parallel.threads();
        assumeTrue(threads > 1 && threads <= 4, "wide units are tested on 2 to 4 CPU threads; this JVM has " + threads);
        int m = 12;
        while (!VectorSgemm.wideUnits(m, SPLIT_N, threads)) {
            m += 256;
        }
        assertThat(VectorSgemm.split(m, SPLIT_N, SPLIT_K, threads)).as("split of %d rows", m)
                .isEqualTo(VectorSgemm.Split.PREPACKED);
        assertThreadedProductIsTheSerialOne(m, ta, tb, beta);
    }

    private static final int SPLIT_N = 1100;
    private static final int SPLIT_K = 530;

    private static void assertThreadedProductIsTheSerialOne(int m, boolean ta, boolean tb, float beta) {
        int n = SPLIT_N, k = SPLIT_K;
        SplittableRandom rnd = new SplittableRandom(m + (ta ? 1 : 0) + (tb ? 2 : 0));
        float[] a = random(rnd, m * k);
        float[] b = random(rnd, k * n);
        float[] c = beta == 0f ? new float[m * n] : random(rnd, m * n);
        if (beta == 0f) {
            Arrays.fill(c, Float.NaN);
        }
        float[] before = c.clone();
        float[] serial = c.clone();
        VectorSgemm.sgemmSerial(ta, tb, m, n, k, 0.5f, a, b, beta, serial);

        VectorSgemm.sgemm(ta, tb, m, n, k, 0.5f, a, b, beta, c);

        // Arrays.mismatch, not containsExactly: AssertJ's takes minutes on 660,000 elements.
        assertThat(Arrays.mismatch(c, serial)).as("first index where %dx%dx%d differs from the serial product", m, n, k)
                .isEqualTo(-1);
        // And the serial product is the product: one element of the last, partial block of B.
        int i = m - 3, j = n - 5;
        double sum = 0;
        for (int p = 0; p < k; p++) {
            sum += (ta ? a[p * m + i] : a[i * k + p]) * (double) (tb ? b[j * k + p] : b[p * n + j]);
        }
        double expected = 0.5 * sum + (beta == 0f ? 0 : beta * (double) before[i * n + j]);
        assertThat((double) c[i * n + j]).as("C[%d,%d]", i, j)
                .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5 * k));
    }

    static Stream<Kernel> kernels() {
        return Stream.of(Kernel.values());
    }

    private static float[] random(SplittableRandom rnd, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }
}
