package dev.myelin.backend.conformance;

import dev.myelin.backend.Buffer;
import dev.myelin.backend.UnaryOp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static dev.myelin.backend.conformance.ConformanceTest.ELEMENT_ABS;
import static dev.myelin.backend.conformance.ConformanceTest.ELEMENT_REL;
import static dev.myelin.backend.conformance.ConformanceTest.check;
import static dev.myelin.backend.conformance.ConformanceTest.cross;
import static dev.myelin.backend.conformance.ConformanceTest.toFloat;
import static dev.myelin.backend.conformance.Harness.filled;
import static dev.myelin.backend.conformance.Harness.random;

/**
 * The sequence-model ops of the Backend contract (batched GEMM, strided copy, causal softmax, softmax
 * and layer-norm backward, embedding, unary backward with GELU, LSTM and GRU cells) on every backend
 * that can start here, on shapes that are not multiples of any work-group or tile; the CPU backend
 * against double-precision loops written from the javadoc, the others against the CPU backend. Outputs
 * start as NaN wherever an op must overwrite them, so a skipped element shows.
 */
class SequenceConformanceTest {

    // ---------------------------------------------------------------- gemmBatched

    /** How the batch strides are laid out: each matrix its own (with a gap), or A or B shared (stride 0). */
    enum Strides { SEPARATE, SHARE_A, SHARE_B }

    static Stream<Arguments> gemmBatchedCases() {
        List<int[]> shapes = List.of(new int[]{1, 1, 1, 1}, new int[]{17, 33, 20, 3}, new int[]{16, 16, 16, 2},
                new int[]{5, 7, 0, 2}, new int[]{33, 9, 70, 4});
        return cross(BackendsUnderTest.ids(), shapes, List.of(false, true), List.of(false, true),
                List.of(Strides.values()), List.of(0f, 0.5f));
    }

    @ParameterizedTest(name = "{0} gemmBatched m,n,k,batch={1} transA={2} transB={3} {4} beta={5}")
    @MethodSource("gemmBatchedCases")
    void gemmBatched(String backend, int[] shape, boolean transA, boolean transB, Strides strides, float beta) {
        int m = shape[0], n = shape[1], k = shape[2], batch = shape[3];
        float alpha = 1.5f;
        // A gap of 3 floats between matrices, so batch offsets are not multiples of 4 (no aligned vector loads).
        int strideA = strides == Strides.SHARE_A ? 0 : m * k + 3;
        int strideB = strides == Strides.SHARE_B ? 0 : k * n + 3;
        int strideC = m * n + 3;
        float[] a = random(301, Math.max(1, strideA * (batch - 1) + m * k), -1, 1);
        float[] b = random(302, Math.max(1, strideB * (batch - 1) + k * n), -1, 1);
        float[] c0 = beta == 0 ? filled(strideC * batch, Float.NaN) : random(303, strideC * batch, -1, 1);
        check(backend, "gemmBatched", s -> {
            Buffer c = s.upload(c0);
            s.backend.gemmBatched(transA, transB, m, n, k, alpha, s.upload(a), strideA, s.upload(b), strideB,
                    beta, c, strideC, batch);
            return new float[][]{s.download(c)};
        }, () -> {
            float[] c = c0.clone();
            for (int z = 0; z < batch; z++) {
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double acc = 0;
                        for (int p = 0; p < k; p++) {
                            double av = transA ? a[z * strideA + p * m + i] : a[z * strideA + i * k + p];
                            double bv = transB ? b[z * strideB + j * k + p] : b[z * strideB + p * n + j];
                            acc += av * bv;
                        }
                        int at = z * strideC + i * n + j;
                        c[at] = (float) (alpha * acc + (beta == 0 ? 0 : beta * c0[at]));
                    }
                }
            }
            return new float[][]{c};
        }, 1e-5, 1e-4 * Math.sqrt(Math.max(k, 1)));
    }

    // ---------------------------------------------------------------- copyStrided

    /** batches, rows, cols, srcOffset, srcBatchStride, srcRowStride, dstOffset, dstBatchStride, dstRowStride. */
    static final List<int[]> COPY_GEOMETRIES = List.of(
            new int[]{1, 1, 1, 0, 0, 0, 0, 0, 0},
            new int[]{2, 3, 5, 1, 20, 6, 2, 16, 5},
            // head split: [2, 7, 3 * 4] -> [2 * 3, 7, 4] for one head... as a [b, t, d] slice into [b, t, h*d]
            new int[]{4, 7, 3, 0, 21, 3, 5, 3, 12},
            new int[]{3, 2, 130, 7, 300, 140, 0, 260, 130},
            new int[]{5, 9, 1, 3, 9, 1, 0, 1, 5});

    static Stream<Arguments> copyStridedCases() {
        return cross(BackendsUnderTest.ids(), COPY_GEOMETRIES, List.of(false, true));
    }

    private static int extent(int offset, int batchStride, int rowStride, int batches, int rows, int cols) {
        return offset + (batches - 1) * batchStride + (rows - 1) * rowStride + cols + 2;
    }

    @ParameterizedTest(name = "{0} copyStrided b,r,c,so,sbs,srs,do,dbs,drs={1} accumulate={2}")
    @MethodSource("copyStridedCases")
    void copyStrided(String backend, int[] g, boolean accumulate) {
        int batches = g[0], rows = g[1], cols = g[2];
        float[] src = random(311, extent(g[3], g[4], g[5], batches, rows, cols), -1, 1);
        float[] dst0 = random(312, extent(g[6], g[7], g[8], batches, rows, cols), -1, 1);
        check(backend, "copyStrided", s -> {
            Buffer dst = s.upload(dst0);
            s.backend.copyStrided(s.upload(src), g[3], g[4], g[5], dst, g[6], g[7], g[8], batches, rows, cols, accumulate);
            return new float[][]{s.download(dst)};
        }, () -> {
            float[] dst = dst0.clone();
            for (int b = 0; b < batches; b++) {
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < cols; j++) {
                        int to = g[6] + b * g[7] + r * g[8] + j;
                        float v = src[g[3] + b * g[4] + r * g[5] + j];
                        dst[to] = accumulate ? dst[to] + v : v;
                    }
                }
            }
            return new float[][]{dst};
        }, 0, 0);
    }

    // ---------------------------------------------------------------- attention softmax

    /** rows, cols (rows a multiple of cols for the causal one). */
    static final List<int[]> SQUARE_BLOCKS = List.of(new int[]{1, 1}, new int[]{21, 7}, new int[]{80, 40},
            new int[]{130, 130}, new int[]{132, 33});

    static Stream<Arguments> causalSoftmaxCases() {
        return cross(BackendsUnderTest.ids(), SQUARE_BLOCKS, List.of(1f, 0.125f), List.of(false, true));
    }

    @ParameterizedTest(name = "{0} causalSoftmax rows,cols={1} scale={2} inPlace={3}")
    @MethodSource("causalSoftmaxCases")
    void causalSoftmax(String backend, int[] shape, float scale, boolean inPlace) {
        int rows = shape[0], cols = shape[1];
        float[] x = random(321, rows * cols, -6, 6);
        check(backend, "causalSoftmax", s -> {
            Buffer in = s.upload(x);
            Buffer out = inPlace ? in : s.upload(filled(rows * cols, Float.NaN));
            s.backend.causalSoftmax(in, out, rows, cols, scale);
            return new float[][]{s.download(out)};
        }, () -> {
            double[] y = new double[rows * cols];
            for (int r = 0; r < rows; r++) {
                int visible = r % cols + 1;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < visible; j++) {
                    max = Math.max(max, (double) scale * x[r * cols + j]);
                }
                double sum = 0;
                for (int j = 0; j < visible; j++) {
                    sum += Math.exp((double) scale * x[r * cols + j] - max);
                }
                for (int j = 0; j < visible; j++) {
                    y[r * cols + j] = Math.exp((double) scale * x[r * cols + j] - max) / sum;
                }
            }
            return new float[][]{toFloat(y)};
        }, ELEMENT_REL, 1e-7);
    }

    /** rows, cols; 600 rows make layer norm's dgamma/dbeta run over several chunks of rows. */
    static final List<int[]> ROW_SHAPES = List.of(new int[]{1, 1}, new int[]{7, 5}, new int[]{9, 40},
            new int[]{3, 300}, new int[]{2, 1000}, new int[]{600, 17});

    static Stream<Arguments> softmaxBackwardCases() {
        return cross(BackendsUnderTest.ids(), ROW_SHAPES, List.of(1f, 0.5f), List.of(false, true));
    }

    /** Rows of a softmax output with some positions masked to exactly 0, as a causal softmax gives. */
    static float[] probabilities(long seed, int rows, int cols) {
        float[] y = random(seed, rows * cols, 0, 1);
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                if (j > 0 && (r + j) % 3 == 0) {
                    y[r * cols + j] = 0;
                }
                sum += y[r * cols + j];
            }
            for (int j = 0; j < cols; j++) {
                y[r * cols + j] = (float) (y[r * cols + j] / sum);
            }
        }
        return y;
    }

    @ParameterizedTest(name = "{0} softmaxBackward rows,cols={1} scale={2} inPlace={3}")
    @MethodSource("softmaxBackwardCases")
    void softmaxBackward(String backend, int[] shape, float scale, boolean inPlace) {
        int rows = shape[0], cols = shape[1];
        float[] y = probabilities(331, rows, cols);
        float[] dy = random(332, rows * cols, -1, 1);
        check(backend, "softmaxBackward", s -> {
            Buffer dyBuffer = s.upload(dy);
            Buffer dx = inPlace ? dyBuffer : s.upload(filled(rows * cols, Float.NaN));
            s.backend.softmaxBackward(s.upload(y), dyBuffer, dx, rows, cols, scale);
            return new float[][]{s.download(dx)};
        }, () -> {
            double[] dx = new double[rows * cols];
            for (int r = 0; r < rows; r++) {
                double dot = 0;
                for (int j = 0; j < cols; j++) {
                    dot += (double) dy[r * cols + j] * y[r * cols + j];
                }
                for (int j = 0; j < cols; j++) {
                    dx[r * cols + j] = scale * y[r * cols + j] * (dy[r * cols + j] - dot);
                }
            }
            return new float[][]{toFloat(dx)};
        }, 1e-5, 1e-6 * Math.sqrt(cols));
    }

    // ---------------------------------------------------------------- layer norm

    static final float EPS = 1e-5f;

    /** mean and invStd per row in double, as the forward saves them. */
    static double[][] rowStats(float[] x, int rows, int cols) {
        double[] mean = new double[rows];
        double[] invStd = new double[rows];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += x[r * cols + j];
            }
            mean[r] = sum / cols;
            double sq = 0;
            for (int j = 0; j < cols; j++) {
                double d = x[r * cols + j] - mean[r];
                sq += d * d;
            }
            invStd[r] = 1 / Math.sqrt(sq / cols + EPS);
        }
        return new double[][]{mean, invStd};
    }

    static Stream<Arguments> layerNormCases() {
        return cross(BackendsUnderTest.ids(), ROW_SHAPES, List.of(true, false), List.of(false, true));
    }

    @ParameterizedTest(name = "{0} layerNorm rows,cols={1} save={2} inPlace={3}")
    @MethodSource("layerNormCases")
    void layerNorm(String backend, int[] shape, boolean save, boolean inPlace) {
        int rows = shape[0], cols = shape[1];
        // An offset of 3 tests that the variance does not cancel catastrophically.
        float[] x = random(341, rows * cols, 2, 4);
        float[] gamma = random(342, cols, 0.5f, 1.5f);
        float[] beta = random(343, cols, -1, 1);
        check(backend, "layerNorm", s -> {
            Buffer in = s.upload(x);
            Buffer y = inPlace ? in : s.upload(filled(rows * cols, Float.NaN));
            Buffer mean = save ? s.upload(filled(rows, Float.NaN)) : null;
            Buffer invStd = save ? s.upload(filled(rows, Float.NaN)) : null;
            s.backend.layerNorm(in, s.upload(gamma), s.upload(beta), y, mean, invStd, rows, cols, EPS);
            return save ? new float[][]{s.download(y), s.download(mean), s.download(invStd)} : new float[][]{s.download(y)};
        }, () -> {
            double[][] stats = rowStats(x, rows, cols);
            double[] y = new double[rows * cols];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) {
                    y[r * cols + j] = (x[r * cols + j] - stats[0][r]) * stats[1][r] * gamma[j] + beta[j];
                }
            }
            return save ? new float[][]{toFloat(y), toFloat(stats[0]), toFloat(stats[1])} : new float[][]{toFloat(y)};
        }, 1e-4, 1e-5);
    }

    /** Which gradients a layerNormBackward call asks for. */
    enum Wanted { ALL, DX_ONLY, PARAMS_ONLY, DGAMMA_ONLY, DBETA_ONLY }

    static Stream<Arguments> layerNormBackwardCases() {
        return cross(BackendsUnderTest.ids(), ROW_SHAPES, List.of(Wanted.values()));
    }

    @ParameterizedTest(name = "{0} layerNormBackward rows,cols={1} {2}")
    @MethodSource("layerNormBackwardCases")
    void layerNormBackward(String backend, int[] shape, Wanted wanted) {
        int rows = shape[0], cols = shape[1];
        float[] x = random(351, rows * cols, -2, 2);
        float[] dy = random(352, rows * cols, -1, 1);
        float[] gamma = random(353, cols, 0.5f, 1.5f);
        double[][] stats = rowStats(x, rows, cols);
        float[] mean = toFloat(stats[0]);
        float[] invStd = toFloat(stats[1]);
        boolean wantDx = wanted == Wanted.ALL || wanted == Wanted.DX_ONLY;
        boolean wantDgamma = wanted == Wanted.ALL || wanted == Wanted.PARAMS_ONLY || wanted == Wanted.DGAMMA_ONLY;
        boolean wantDbeta = wanted == Wanted.ALL || wanted == Wanted.PARAMS_ONLY || wanted == Wanted.DBETA_ONLY;
        check(backend, "layerNormBackward", s -> {
            Buffer dx = wantDx ? s.upload(filled(rows * cols, Float.NaN)) : null;
            Buffer dgamma = wantDgamma ? s.upload(filled(cols, Float.NaN)) : null;
            Buffer dbeta = wantDbeta ? s.upload(filled(cols, Float.NaN)) : null;
            s.backend.layerNormBackward(s.upload(x), s.upload(dy), s.upload(gamma), s.upload(mean), s.upload(invStd),
                    dx, dgamma, dbeta, rows, cols);
            return Stream.of(dx, dgamma, dbeta).filter(b -> b != null).map(s::download).toArray(float[][]::new);
        }, () -> {
            double[] dx = new double[rows * cols];
            double[] dgamma = new double[cols];
            double[] dbeta = new double[cols];
            for (int r = 0; r < rows; r++) {
                double sumG = 0;
                double sumGXhat = 0;
                for (int j = 0; j < cols; j++) {
                    double xhat = (x[r * cols + j] - mean[r]) * (double) invStd[r];
                    double g = (double) dy[r * cols + j] * gamma[j];
                    sumG += g;
                    sumGXhat += g * xhat;
                    dgamma[j] += dy[r * cols + j] * xhat;
                    dbeta[j] += dy[r * cols + j];
                }
                for (int j = 0; j < cols; j++) {
                    double xhat = (x[r * cols + j] - mean[r]) * (double) invStd[r];
                    double g = (double) dy[r * cols + j] * gamma[j];
                    dx[r * cols + j] = invStd[r] / cols * (cols * g - sumG - xhat * sumGXhat);
                }
            }
            return Stream.of(wantDx ? dx : null, wantDgamma ? dgamma : null, wantDbeta ? dbeta : null)
                    .filter(v -> v != null).map(ConformanceTest::toFloat).toArray(float[][]::new);
        }, 1e-4, 1e-5 * Math.sqrt(Math.max(rows, cols)));
    }

    // ---------------------------------------------------------------- embedding

    /** n, dim, vocab. */
    static final List<int[]> EMBEDDING_SHAPES = List.of(new int[]{1, 1, 1}, new int[]{13, 7, 5},
            new int[]{50, 33, 17}, new int[]{300, 3, 40}, new int[]{0, 4, 3});

    static Stream<Arguments> embeddingCases() {
        return cross(BackendsUnderTest.ids(), EMBEDDING_SHAPES);
    }

    /** Ids with repeats, in scrambled order, leaving the last vocabulary row unused when vocab > 1. */
    static float[] ids(int n, int vocab) {
        float[] ids = new float[n];
        int used = Math.max(1, vocab - 1);
        for (int i = 0; i < n; i++) {
            ids[i] = (i * 7 + 3) % used;
        }
        return ids;
    }

    @ParameterizedTest(name = "{0} embedding n,dim,vocab={1}")
    @MethodSource("embeddingCases")
    void embedding(String backend, int[] shape) {
        int n = shape[0], dim = shape[1], vocab = shape[2];
        float[] table = random(361, vocab * dim, -1, 1);
        float[] ids = ids(n, vocab);
        check(backend, "embedding", s -> {
            Buffer out = s.upload(filled(Math.max(1, n * dim), Float.NaN));
            s.backend.embedding(s.upload(table), s.upload(n == 0 ? new float[1] : ids), out, n, dim);
            return new float[][]{Arrays.copyOf(s.download(out), n * dim)};
        }, () -> {
            float[] out = new float[n * dim];
            for (int i = 0; i < n; i++) {
                System.arraycopy(table, (int) ids[i] * dim, out, i * dim, dim);
            }
            return new float[][]{out};
        }, 0, 0);
    }

    @ParameterizedTest(name = "{0} embeddingBackward n,dim,vocab={1}")
    @MethodSource("embeddingCases")
    void embeddingBackward(String backend, int[] shape) {
        int n = shape[0], dim = shape[1], vocab = shape[2];
        float[] dOut = random(371, Math.max(1, n * dim), -1, 1);
        float[] ids = ids(n, vocab);
        check(backend, "embeddingBackward", s -> {
            Buffer dTable = s.upload(filled(vocab * dim, Float.NaN));
            s.backend.embeddingBackward(s.upload(dOut), s.upload(n == 0 ? new float[1] : ids), dTable, n, dim, vocab);
            return new float[][]{s.download(dTable)};
        }, () -> {
            // Sums in ascending i in float, as the contract fixes the order: every backend must match exactly.
            float[] dTable = new float[vocab * dim];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < dim; j++) {
                    dTable[(int) ids[i] * dim + j] += dOut[i * dim + j];
                }
            }
            return new float[][]{dTable};
        }, 0, 0);
    }

    // ---------------------------------------------------------------- GELU and unaryBackward

    /** Inputs inside each op's domain (LOG and SQRT need positive ones). */
    static float[] unaryInput(UnaryOp op, long seed, int n) {
        return op == UnaryOp.LOG || op == UnaryOp.SQRT ? random(seed, n, 0.1f, 4) : random(seed, n, -4, 4);
    }

    static Stream<Arguments> geluCases() {
        return cross(BackendsUnderTest.ids(), List.of(1, 1000, 4099), List.of(false, true));
    }

    @ParameterizedTest(name = "{0} unary GELU n={1} inPlace={2}")
    @MethodSource("geluCases")
    void gelu(String backend, int n, boolean inPlace) {
        float[] x = random(381, n, -6, 6);
        check(backend, "unary GELU", s -> {
            Buffer in = s.upload(x);
            Buffer y = inPlace ? in : s.upload(filled(n, Float.NaN));
            s.backend.unary(UnaryOp.GELU, in, y, n);
            return new float[][]{s.download(y)};
        }, () -> {
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                double v = x[i];
                y[i] = 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
            }
            return new float[][]{toFloat(y)};
        }, ELEMENT_REL, ELEMENT_ABS);
    }

    static Stream<Arguments> unaryBackwardCases() {
        return cross(BackendsUnderTest.ids(), List.of(UnaryOp.values()), List.of(1, 1031), List.of(false, true));
    }

    @ParameterizedTest(name = "{0} unaryBackward {1} n={2} inPlace={3}")
    @MethodSource("unaryBackwardCases")
    void unaryBackward(String backend, UnaryOp op, int n, boolean inPlace) {
        float[] x = unaryInput(op, 391, n);
        float[] dy = random(392, n, -1, 1);
        check(backend, "unaryBackward " + op, s -> {
            Buffer dyBuffer = s.upload(dy);
            Buffer dx = inPlace ? dyBuffer : s.upload(filled(n, Float.NaN));
            s.backend.unaryBackward(op, s.upload(x), dyBuffer, dx, n);
            return new float[][]{s.download(dx)};
        }, () -> {
            double[] dx = new double[n];
            for (int i = 0; i < n; i++) {
                dx[i] = dy[i] * derivative(op, x[i]);
            }
            return new float[][]{toFloat(dx)};
        }, ELEMENT_REL, ELEMENT_ABS);
    }

    /** f'(x) in double, written out independently of UnaryOp.derivative. */
    static double derivative(UnaryOp op, double x) {
        return switch (op) {
            case IDENTITY -> 1;
            case RELU -> x > 0 ? 1 : 0;
            case SIGMOID -> Math.exp(-x) / ((1 + Math.exp(-x)) * (1 + Math.exp(-x)));
            case TANH -> 1 / (Math.cosh(x) * Math.cosh(x));
            case EXP -> Math.exp(x);
            case LOG -> 1 / x;
            case NEG -> -1;
            case ABS -> Math.signum(x);
            case SQUARE -> 2 * x;
            case SQRT -> 0.5 / Math.sqrt(x);
            case GELU -> {
                double c = Math.sqrt(2 / Math.PI);
                double t = Math.tanh(c * (x + 0.044715 * x * x * x));
                yield 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
            }
        };
    }

    // ---------------------------------------------------------------- LSTM and GRU cells

    /** batch, hidden. */
    static final List<int[]> CELL_SHAPES = List.of(new int[]{1, 1}, new int[]{3, 5}, new int[]{7, 33}, new int[]{2, 300});

    static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    static Stream<Arguments> cellCases() {
        return cross(BackendsUnderTest.ids(), CELL_SHAPES);
    }

    @ParameterizedTest(name = "{0} lstmCell batch,hidden={1}")
    @MethodSource("cellCases")
    void lstmCell(String backend, int[] shape) {
        int batch = shape[0], hidden = shape[1];
        float[] pre = random(401, batch * 4 * hidden, -3, 3);
        float[] cPrev = random(402, batch * hidden, -2, 2);
        check(backend, "lstmCell", s -> {
            Buffer gates = s.upload(pre);
            Buffer c = s.upload(filled(batch * hidden, Float.NaN));
            Buffer h = s.upload(filled(batch * hidden, Float.NaN));
            s.backend.lstmCell(gates, s.upload(cPrev), c, h, batch, hidden);
            return new float[][]{s.download(gates), s.download(c), s.download(h)};
        }, () -> {
            double[] gates = new double[pre.length];
            double[] c = new double[batch * hidden];
            double[] h = new double[batch * hidden];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < hidden; j++) {
                    int base = b * 4 * hidden + j;
                    double i = sigmoid(pre[base]);
                    double f = sigmoid(pre[base + hidden]);
                    double g = Math.tanh(pre[base + 2 * hidden]);
                    double o = sigmoid(pre[base + 3 * hidden]);
                    gates[base] = i;
                    gates[base + hidden] = f;
                    gates[base + 2 * hidden] = g;
                    gates[base + 3 * hidden] = o;
                    c[b * hidden + j] = f * cPrev[b * hidden + j] + i * g;
                    h[b * hidden + j] = o * Math.tanh(c[b * hidden + j]);
                }
            }
            return new float[][]{toFloat(gates), toFloat(c), toFloat(h)};
        }, ELEMENT_REL, ELEMENT_ABS);
    }

    /** How dc reaches lstmCellBackward: absent, its own buffer, or the same buffer as dcPrev. */
    enum Dc { NONE, SEPARATE, ALIASED }

    static Stream<Arguments> lstmBackwardCases() {
        return cross(BackendsUnderTest.ids(), CELL_SHAPES, List.of(Dc.values()));
    }

    @ParameterizedTest(name = "{0} lstmCellBackward batch,hidden={1} dc={2}")
    @MethodSource("lstmBackwardCases")
    void lstmCellBackward(String backend, int[] shape, Dc dcMode) {
        int batch = shape[0], hidden = shape[1];
        float[] gates = random(411, batch * 4 * hidden, 0.05f, 0.95f);   // activations: in (0, 1), g in (-1, 1) too
        float[] cPrev = random(412, batch * hidden, -2, 2);
        float[] c = random(413, batch * hidden, -2, 2);
        float[] dh = random(414, batch * hidden, -1, 1);
        float[] dc = dcMode == Dc.NONE ? null : random(415, batch * hidden, -1, 1);
        check(backend, "lstmCellBackward", s -> {
            Buffer dGates = s.upload(filled(gates.length, Float.NaN));
            Buffer dcBuffer = dc == null ? null : s.upload(dc);
            Buffer dcPrev = dcMode == Dc.ALIASED ? dcBuffer : s.upload(filled(batch * hidden, Float.NaN));
            s.backend.lstmCellBackward(s.upload(gates), s.upload(cPrev), s.upload(c), s.upload(dh), dcBuffer,
                    dGates, dcPrev, batch, hidden);
            return new float[][]{s.download(dGates), s.download(dcPrev)};
        }, () -> {
            double[] dGates = new double[gates.length];
            double[] dcPrev = new double[batch * hidden];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < hidden; j++) {
                    int base = b * 4 * hidden + j;
                    int at = b * hidden + j;
                    double i = gates[base], f = gates[base + hidden], g = gates[base + 2 * hidden], o = gates[base + 3 * hidden];
                    double tc = Math.tanh(c[at]);
                    double dcTotal = (dc == null ? 0 : dc[at]) + dh[at] * o * (1 - tc * tc);
                    dGates[base] = dcTotal * g * i * (1 - i);
                    dGates[base + hidden] = dcTotal * cPrev[at] * f * (1 - f);
                    dGates[base + 2 * hidden] = dcTotal * i * (1 - g * g);
                    dGates[base + 3 * hidden] = dh[at] * tc * o * (1 - o);
                    dcPrev[at] = dcTotal * f;
                }
            }
            return new float[][]{toFloat(dGates), toFloat(dcPrev)};
        }, ELEMENT_REL, ELEMENT_ABS);
    }

    @ParameterizedTest(name = "{0} gruCell batch,hidden={1}")
    @MethodSource("cellCases")
    void gruCell(String backend, int[] shape) {
        int batch = shape[0], hidden = shape[1];
        float[] xg = random(421, batch * 3 * hidden, -2, 2);
        float[] hg = random(422, batch * 3 * hidden, -2, 2);
        float[] hPrev = random(423, batch * hidden, -1, 1);
        check(backend, "gruCell", s -> {
            Buffer h = s.upload(filled(batch * hidden, Float.NaN));
            Buffer saved = s.upload(filled(batch * 3 * hidden, Float.NaN));
            s.backend.gruCell(s.upload(xg), s.upload(hg), s.upload(hPrev), h, saved, batch, hidden);
            return new float[][]{s.download(h), s.download(saved)};
        }, () -> {
            double[] h = new double[batch * hidden];
            double[] saved = new double[batch * 3 * hidden];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < hidden; j++) {
                    int base = b * 3 * hidden + j;
                    double r = sigmoid(xg[base] + (double) hg[base]);
                    double z = sigmoid(xg[base + hidden] + (double) hg[base + hidden]);
                    double nv = Math.tanh(xg[base + 2 * hidden] + r * hg[base + 2 * hidden]);
                    saved[base] = r;
                    saved[base + hidden] = z;
                    saved[base + 2 * hidden] = nv;
                    h[b * hidden + j] = (1 - z) * nv + z * hPrev[b * hidden + j];
                }
            }
            return new float[][]{toFloat(h), toFloat(saved)};
        }, ELEMENT_REL, ELEMENT_ABS);
    }

    @ParameterizedTest(name = "{0} gruCellBackward batch,hidden={1}")
    @MethodSource("cellCases")
    void gruCellBackward(String backend, int[] shape) {
        int batch = shape[0], hidden = shape[1];
        float[] saved = random(431, batch * 3 * hidden, 0.05f, 0.95f);
        float[] hg = random(432, batch * 3 * hidden, -2, 2);
        float[] hPrev = random(433, batch * hidden, -1, 1);
        float[] dh = random(434, batch * hidden, -1, 1);
        check(backend, "gruCellBackward", s -> {
            Buffer dxg = s.upload(filled(batch * 3 * hidden, Float.NaN));
            Buffer dhg = s.upload(filled(batch * 3 * hidden, Float.NaN));
            Buffer dhPrev = s.upload(filled(batch * hidden, Float.NaN));
            s.backend.gruCellBackward(s.upload(saved), s.upload(hg), s.upload(hPrev), s.upload(dh), dxg, dhg, dhPrev,
                    batch, hidden);
            return new float[][]{s.download(dxg), s.download(dhg), s.download(dhPrev)};
        }, () -> {
            double[] dxg = new double[batch * 3 * hidden];
            double[] dhg = new double[batch * 3 * hidden];
            double[] dhPrev = new double[batch * hidden];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < hidden; j++) {
                    int base = b * 3 * hidden + j;
                    int at = b * hidden + j;
                    double r = saved[base], z = saved[base + hidden], nv = saved[base + 2 * hidden];
                    double dnPre = dh[at] * (1 - z) * (1 - nv * nv);
                    double drPre = dnPre * hg[base + 2 * hidden] * r * (1 - r);
                    double dzPre = dh[at] * (hPrev[at] - nv) * z * (1 - z);
                    dxg[base] = drPre;
                    dxg[base + hidden] = dzPre;
                    dxg[base + 2 * hidden] = dnPre;
                    dhg[base] = drPre;
                    dhg[base + hidden] = dzPre;
                    dhg[base + 2 * hidden] = dnPre * r;
                    dhPrev[at] = dh[at] * z;
                }
            }
            return new float[][]{toFloat(dxg), toFloat(dhg), toFloat(dhPrev)};
        }, ELEMENT_REL, ELEMENT_ABS);
    }
}
