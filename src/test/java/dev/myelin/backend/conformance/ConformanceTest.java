package dev.myelin.backend.conformance;

import dev.myelin.backend.Activation;
import dev.myelin.backend.Backend;
import dev.myelin.backend.BackendKind;
import dev.myelin.backend.BinaryOp;
import dev.myelin.backend.Broadcast;
import dev.myelin.backend.Buffer;
import dev.myelin.backend.ReduceOp;
import dev.myelin.backend.UnaryOp;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static dev.myelin.backend.conformance.Harness.assertClose;
import static dev.myelin.backend.conformance.Harness.filled;
import static dev.myelin.backend.conformance.Harness.random;

/**
 * Every op of the Backend contract, on every backend that can start here, on random inputs.
 * The CPU backend is checked against plain double-precision loops written from the contract's
 * javadoc and the enums' reference functions; every other backend is checked against the CPU
 * backend. Tolerances are stated per op: 1e-5 relative for element-wise ops, 1e-4 * sqrt(k) for GEMM
 * (float accumulation order differs between backends), a little more for sums over many terms.
 */
class ConformanceTest {
    static final double ELEMENT_REL = 1e-5;
    static final double ELEMENT_ABS = 1e-6;

    /** One run of an op: uploads its inputs, runs it, returns the downloaded outputs. */
    interface Run {
        float[][] on(Harness.Session s);
    }

    static void check(String backendId, String what, Run run, Supplier<float[][]> reference, double rel, double abs) {
        Backend backend = BackendsUnderTest.get(backendId);
        float[][] actual;
        try (Harness.Session s = new Harness.Session(backend)) {
            actual = run.on(s);
        }
        float[][] expected;
        if (backend.kind() == BackendKind.CPU) {
            expected = reference.get();
        } else {
            try (Harness.Session s = new Harness.Session(BackendsUnderTest.reference())) {
                expected = run.on(s);
            }
        }
        for (int i = 0; i < actual.length; i++) {
            assertClose(backendId + " " + what + (actual.length > 1 ? " output " + i : ""), actual[i], expected[i], rel, abs);
        }
    }

    static Stream<String> backends() {
        return BackendsUnderTest.ids().stream();
    }

    static Stream<Arguments> cross(List<?>... axes) {
        List<Object[]> rows = new ArrayList<>();
        rows.add(new Object[0]);
        for (List<?> axis : axes) {
            List<Object[]> next = new ArrayList<>();
            for (Object[] row : rows) {
                for (Object value : axis) {
                    Object[] extended = java.util.Arrays.copyOf(row, row.length + 1);
                    extended[row.length] = value;
                    next.add(extended);
                }
            }
            rows = next;
        }
        return rows.stream().map(Arguments::of);
    }

    // ---------------------------------------------------------------- gemm

    static Stream<Arguments> gemmCases() {
        List<int[]> shapes = List.of(new int[]{1, 1, 1}, new int[]{16, 16, 16}, new int[]{17, 33, 65},
                new int[]{130, 70, 200}, new int[]{3, 50, 1}, new int[]{64, 1, 5}, new int[]{5, 7, 0});
        return cross(BackendsUnderTest.ids(), shapes, List.of(false, true), List.of(false, true), List.of(0f, 0.5f));
    }

    @ParameterizedTest(name = "{0} gemm m,n,k={1} transA={2} transB={3} beta={4}")
    @MethodSource("gemmCases")
    void gemm(String backend, int[] mnk, boolean transA, boolean transB, float beta) {
        int m = mnk[0], n = mnk[1], k = mnk[2];
        float alpha = 1.5f;
        float[] a = random(1, m * k, -1, 1);
        float[] b = random(2, k * n, -1, 1);
        // beta == 0 must ignore C entirely, NaN included.
        float[] c = beta == 0f ? filled(m * n, Float.NaN) : random(3, m * n, -1, 1);
        check(backend, "gemm", s -> {
            Buffer cb = s.upload(c);
            s.backend.gemm(transA, transB, m, n, k, alpha, s.upload(a), s.upload(b), beta, cb);
            return new float[][]{s.download(cb)};
        }, () -> {
            float[] out = new float[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) {
                        double av = transA ? a[p * m + i] : a[i * k + p];
                        double bv = transB ? b[j * k + p] : b[p * n + j];
                        sum += av * bv;
                    }
                    out[i * n + j] = (float) (alpha * sum + (beta == 0f ? 0 : beta * (double) c[i * n + j]));
                }
            }
            return new float[][]{out};
        }, 1e-5, 1e-4 * Math.sqrt(Math.max(k, 1)));
    }

    // ---------------------------------------------------------------- element-wise

    static float[] domain(UnaryOp op, long seed, int n) {
        return switch (op) {
            case LOG, SQRT -> random(seed, n, 0.05f, 5f);
            case EXP -> random(seed, n, -10f, 10f);
            default -> random(seed, n, -4f, 4f);
        };
    }

    static Stream<Arguments> unaryCases() {
        return cross(BackendsUnderTest.ids(), List.of(UnaryOp.values()), List.of(1, 1037), List.of(false, true));
    }

    @ParameterizedTest(name = "{0} unary {1} n={2} inPlace={3}")
    @MethodSource("unaryCases")
    void unary(String backend, UnaryOp op, int n, boolean inPlace) {
        float[] x = domain(op, 11, n);
        check(backend, "unary " + op, s -> {
            Buffer xb = s.upload(x);
            Buffer yb = inPlace ? xb : s.allocate(n);
            s.backend.unary(op, xb, yb, n);
            return new float[][]{s.download(yb)};
        }, () -> {
            float[] y = new float[n];
            for (int i = 0; i < n; i++) {
                y[i] = op.apply(x[i]);
            }
            return new float[][]{y};
        }, ELEMENT_REL, ELEMENT_ABS);
    }

    static Stream<Arguments> binaryCases() {
        return cross(BackendsUnderTest.ids(), List.of(BinaryOp.values()), List.of(Broadcast.values()), List.of(false, true));
    }

    @ParameterizedTest(name = "{0} binary {1} broadcast={2} inPlace={3}")
    @MethodSource("binaryCases")
    void binary(String backend, BinaryOp op, Broadcast broadcast, boolean inPlace) {
        int rows = 7, cols = 13;
        float[] a = random(21, rows * cols, -3, 3);
        float[] b = random(22, broadcast.operandLength(rows, cols), 0.5f, 2f);
        for (int i = 0; i < b.length; i += 2) {
            b[i] = -b[i];   // both signs, but never near zero (DIV)
        }
        check(backend, "binary " + op + " " + broadcast, s -> {
            Buffer ab = s.upload(a);
            Buffer out = inPlace ? ab : s.allocate(rows * cols);
            s.backend.binary(op, ab, s.upload(b), out, rows, cols, broadcast);
            return new float[][]{s.download(out)};
        }, () -> {
            float[] out = new float[rows * cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    out[r * cols + c] = op.apply(a[r * cols + c], b[broadcast.index(r, c, cols)]);
                }
            }
            return new float[][]{out};
        }, ELEMENT_REL, ELEMENT_ABS);
    }

    static Stream<Arguments> axpbyCases() {
        return cross(BackendsUnderTest.ids(), List.of(new float[]{2f, 0f}, new float[]{1f, 1f}, new float[]{0.5f, -1.5f}));
    }

    @ParameterizedTest(name = "{0} axpby alpha,beta={1}")
    @MethodSource("axpbyCases")
    void axpby(String backend, float[] alphaBeta) {
        int n = 1000;
        float alpha = alphaBeta[0], beta = alphaBeta[1];
        float[] x = random(31, n, -2, 2);
        float[] y = beta == 0f ? filled(n, Float.NaN) : random(32, n, -2, 2);
        check(backend, "axpby", s -> {
            Buffer yb = s.upload(y);
            s.backend.axpby(alpha, s.upload(x), beta, yb, n);
            return new float[][]{s.download(yb)};
        }, () -> {
            float[] out = new float[n];
            for (int i = 0; i < n; i++) {
                out[i] = (float) (alpha * (double) x[i] + (beta == 0f ? 0 : beta * (double) y[i]));
            }
            return new float[][]{out};
        }, ELEMENT_REL, ELEMENT_ABS);
    }

    static Stream<Arguments> activationCases() {
        return cross(BackendsUnderTest.ids(), List.of(Activation.values()), List.of(false, true));
    }

    @ParameterizedTest(name = "{0} biasActivation {1} bias={2}")
    @MethodSource("activationCases")
    void biasActivation(String backend, Activation act, boolean withBias) {
        int rows = 9, cols = 37;
        float[] x = random(41, rows * cols, -3, 3);
        float[] bias = random(42, cols, -1, 1);
        check(backend, "biasActivation " + act, s -> {
            Buffer xb = s.upload(x);
            Buffer yb = withBias ? s.allocate(rows * cols) : xb;   // also covers y == x
            s.backend.biasActivation(xb, withBias ? s.upload(bias) : null, act, yb, rows, cols);
            return new float[][]{s.download(yb)};
        }, () -> {
            float[] y = new float[rows * cols];
            for (int i = 0; i < y.length; i++) {
                y[i] = act.forward().apply(withBias ? x[i] + bias[i % cols] : x[i]);
            }
            return new float[][]{y};
        }, ELEMENT_REL, ELEMENT_ABS);
    }

    @ParameterizedTest(name = "{0} activationBackward {1} inPlace={2}")
    @MethodSource("activationCases")
    void activationBackward(String backend, Activation act, boolean inPlace) {
        int n = 777;
        float[] y = random(51, n, -3, 3);
        for (int i = 0; i < n; i++) {
            y[i] = act.forward().apply(y[i]);   // a genuine saved output (ReLU zeros included)
        }
        float[] dy = random(52, n, -1, 1);
        check(backend, "activationBackward " + act, s -> {
            Buffer dyb = s.upload(dy);
            Buffer dxb = inPlace ? dyb : s.allocate(n);
            s.backend.activationBackward(act, s.upload(y), dyb, dxb, n);
            return new float[][]{s.download(dxb)};
        }, () -> {
            float[] dx = new float[n];
            for (int i = 0; i < n; i++) {
                dx[i] = (float) ((double) dy[i] * act.derivativeFromOutput(y[i]));
            }
            return new float[][]{dx};
        }, ELEMENT_REL, ELEMENT_ABS);
    }

    // ---------------------------------------------------------------- reductions

    static Stream<Arguments> reduceCases() {
        List<int[]> shapes = List.of(new int[]{1, 1}, new int[]{7, 300}, new int[]{300, 7}, new int[]{33, 129});
        return cross(BackendsUnderTest.ids(), List.of(ReduceOp.values()), shapes, List.of(0, 1));
    }

    @ParameterizedTest(name = "{0} reduce {1} rows,cols={2} axis={3}")
    @MethodSource("reduceCases")
    void reduce(String backend, ReduceOp op, int[] shape, int axis) {
        int rows = shape[0], cols = shape[1];
        float[] x = random(61, rows * cols, -2, 2);
        int outLength = axis == 0 ? cols : rows;
        int terms = axis == 0 ? rows : cols;
        check(backend, "reduce " + op + " axis " + axis, s -> {
            Buffer out = s.allocate(outLength);
            s.backend.reduce(op, s.upload(x), out, rows, cols, axis);
            return new float[][]{s.download(out)};
        }, () -> {
            float[] out = new float[outLength];
            for (int o = 0; o < outLength; o++) {
                double acc = op == ReduceOp.MAX ? Double.NEGATIVE_INFINITY : 0;
                for (int t = 0; t < terms; t++) {
                    double v = axis == 0 ? x[t * cols + o] : x[o * cols + t];
                    acc = op == ReduceOp.MAX ? Math.max(acc, v) : acc + v;
                }
                out[o] = (float) (op == ReduceOp.MEAN ? acc / terms : acc);
            }
            return new float[][]{out};
        }, ELEMENT_REL, 1e-6 * Math.sqrt(terms) * (op == ReduceOp.SUM ? 4 : 1));
    }

    static Stream<Arguments> argmaxCases() {
        List<int[]> shapes = List.of(new int[]{5, 1}, new int[]{9, 10}, new int[]{4, 1000}, new int[]{3, 200});
        return cross(BackendsUnderTest.ids(), shapes);
    }

    @ParameterizedTest(name = "{0} argmaxRows rows,cols={1}")
    @MethodSource("argmaxCases")
    void argmaxRows(String backend, int[] shape) {
        int rows = shape[0], cols = shape[1];
        float[] x = random(71, rows * cols, -3, 3);
        for (int i = 0; i < x.length; i++) {
            x[i] = Math.round(x[i]);   // many ties: the first maximum must win
        }
        check(backend, "argmaxRows", s -> {
            Buffer out = s.allocate(rows);
            s.backend.argmaxRows(s.upload(x), out, rows, cols);
            return new float[][]{s.download(out)};
        }, () -> {
            float[] out = new float[rows];
            for (int r = 0; r < rows; r++) {
                int best = 0;
                for (int c = 1; c < cols; c++) {
                    if (x[r * cols + c] > x[r * cols + best]) {
                        best = c;
                    }
                }
                out[r] = best;
            }
            return new float[][]{out};
        }, 0, 0);
    }

    // ---------------------------------------------------------------- softmax and losses

    static Stream<Arguments> softmaxCases() {
        List<int[]> shapes = List.of(new int[]{1, 1}, new int[]{8, 10}, new int[]{3, 1000}, new int[]{5, 33}, new int[]{64, 129});
        return cross(BackendsUnderTest.ids(), shapes);
    }

    static double[] softmaxRowReference(float[] x, int base, int cols) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < cols; c++) {
            max = Math.max(max, x[base + c]);
        }
        double sum = 0;
        double[] e = new double[cols + 1];
        for (int c = 0; c < cols; c++) {
            e[c] = Math.exp(x[base + c] - max);
            sum += e[c];
        }
        for (int c = 0; c < cols; c++) {
            e[c] /= sum;
        }
        e[cols] = max + Math.log(sum);   // the log-partition, for the loss
        return e;
    }

    @ParameterizedTest(name = "{0} softmax rows,cols={1}")
    @MethodSource("softmaxCases")
    void softmax(String backend, int[] shape) {
        int rows = shape[0], cols = shape[1];
        float[] x = random(81, rows * cols, -8, 8);
        check(backend, "softmax", s -> {
            Buffer xb = s.upload(x);
            Buffer yb = s.allocate(rows * cols);
            s.backend.softmax(xb, yb, rows, cols);
            Buffer inPlace = s.upload(x);
            s.backend.softmax(inPlace, inPlace, rows, cols);
            return new float[][]{s.download(yb), s.download(inPlace)};
        }, () -> {
            float[] y = new float[rows * cols];
            for (int r = 0; r < rows; r++) {
                double[] e = softmaxRowReference(x, r * cols, cols);
                for (int c = 0; c < cols; c++) {
                    y[r * cols + c] = (float) e[c];
                }
            }
            return new float[][]{y, y};
        }, ELEMENT_REL, 1e-7);
    }

    static float[] labels(long seed, int rows, int cols) {
        java.util.Random random = new java.util.Random(seed);
        float[] labels = new float[rows];
        for (int r = 0; r < rows; r++) {
            labels[r] = random.nextInt(cols);
        }
        return labels;
    }

    @ParameterizedTest(name = "{0} softmaxCrossEntropy rows,cols={1}")
    @MethodSource("softmaxCases")
    void softmaxCrossEntropy(String backend, int[] shape) {
        int rows = shape[0], cols = shape[1];
        float[] logits = random(91, rows * cols, -8, 8);
        float[] labels = labels(92, rows, cols);
        check(backend, "softmaxCrossEntropy", s -> {
            Buffer probs = s.allocate(rows * cols);
            Buffer losses = s.allocate(rows);
            s.backend.softmaxCrossEntropy(s.upload(logits), s.upload(labels), probs, losses, rows, cols);
            return new float[][]{s.download(probs), s.download(losses)};
        }, () -> {
            float[] probs = new float[rows * cols];
            float[] losses = new float[rows];
            for (int r = 0; r < rows; r++) {
                double[] e = softmaxRowReference(logits, r * cols, cols);
                for (int c = 0; c < cols; c++) {
                    probs[r * cols + c] = (float) e[c];
                }
                losses[r] = (float) (e[cols] - logits[r * cols + (int) labels[r]]);
            }
            return new float[][]{probs, losses};
        }, 1e-5, 1e-6);
    }

    static Stream<Arguments> xentBackwardCases() {
        return cross(BackendsUnderTest.ids(), List.of(new int[]{8, 10}, new int[]{3, 1000}, new int[]{1, 1}), List.of(false, true));
    }

    @ParameterizedTest(name = "{0} softmaxCrossEntropyBackward rows,cols={1} inPlace={2}")
    @MethodSource("xentBackwardCases")
    void softmaxCrossEntropyBackward(String backend, int[] shape, boolean inPlace) {
        int rows = shape[0], cols = shape[1];
        float[] probs = random(101, rows * cols, 0, 1);
        float[] labels = labels(102, rows, cols);
        float scale = 1f / rows;
        check(backend, "softmaxCrossEntropyBackward", s -> {
            Buffer pb = s.upload(probs);
            Buffer db = inPlace ? pb : s.allocate(rows * cols);
            s.backend.softmaxCrossEntropyBackward(pb, s.upload(labels), db, rows, cols, scale);
            return new float[][]{s.download(db)};
        }, () -> {
            float[] d = new float[rows * cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    d[r * cols + c] = (float) (scale * ((double) probs[r * cols + c] - (c == (int) labels[r] ? 1 : 0)));
                }
            }
            return new float[][]{d};
        }, ELEMENT_REL, ELEMENT_ABS);
    }

    // ---------------------------------------------------------------- optimizer updates

    static Stream<Arguments> sgdCases() {
        // momentum, weightDecay, nesterov
        return cross(BackendsUnderTest.ids(), List.of(new float[]{0f, 0f, 0}, new float[]{0f, 0.01f, 0},
                new float[]{0.9f, 0f, 0}, new float[]{0.9f, 0.01f, 1}));
    }

    @ParameterizedTest(name = "{0} sgdUpdate momentum,wd,nesterov={1}")
    @MethodSource("sgdCases")
    void sgdUpdate(String backend, float[] config) {
        int n = 1031;
        int steps = 3;
        float lr = 0.1f, momentum = config[0], wd = config[1];
        boolean nesterov = config[2] != 0;
        float[] p0 = random(111, n, -1, 1);
        float[][] grads = {random(112, n, -1, 1), random(113, n, -1, 1), random(114, n, -1, 1)};
        check(backend, "sgdUpdate", s -> {
            Buffer p = s.upload(p0);
            Buffer v = momentum == 0f ? null : s.upload(new float[n]);
            for (int t = 0; t < steps; t++) {
                s.backend.sgdUpdate(p, s.upload(grads[t]), v, n, lr, momentum, wd, nesterov);
            }
            return v == null ? new float[][]{s.download(p)} : new float[][]{s.download(p), s.download(v)};
        }, () -> {
            double[] p = new double[n];
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                p[i] = p0[i];
            }
            for (int t = 0; t < steps; t++) {
                for (int i = 0; i < n; i++) {
                    double g = grads[t][i] + wd * p[i];
                    if (momentum != 0f) {
                        v[i] = momentum * v[i] + g;
                        g = nesterov ? g + momentum * v[i] : v[i];
                    }
                    p[i] -= lr * g;
                }
            }
            return momentum == 0f ? new float[][]{toFloat(p)} : new float[][]{toFloat(p), toFloat(v)};
        }, ELEMENT_REL, ELEMENT_ABS);
    }

    static float[] toFloat(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    static Stream<Arguments> adamCases() {
        return cross(BackendsUnderTest.ids(), List.of(false, true));
    }

    @ParameterizedTest(name = "{0} adamUpdate decoupled={1}")
    @MethodSource("adamCases")
    void adamUpdate(String backend, boolean decoupled) {
        int n = 1031;
        int steps = 3;
        float lr = 1e-2f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f, wd = 0.05f;
        float[] p0 = random(121, n, -1, 1);
        float[][] grads = {random(122, n, -1, 1), random(123, n, -1, 1), random(124, n, -1, 1)};
        check(backend, "adamUpdate", s -> {
            Buffer p = s.upload(p0);
            Buffer m = s.upload(new float[n]);
            Buffer v = s.upload(new float[n]);
            for (int t = 0; t < steps; t++) {
                s.backend.adamUpdate(p, s.upload(grads[t]), m, v, n, lr, beta1, beta2, eps, wd, decoupled, t + 1);
            }
            return new float[][]{s.download(p), s.download(m), s.download(v)};
        }, () -> {
            double[] p = new double[n];
            double[] m = new double[n];
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                p[i] = p0[i];
            }
            for (int t = 1; t <= steps; t++) {
                double c1 = 1 - Math.pow(beta1, t);
                double c2 = 1 - Math.pow(beta2, t);
                for (int i = 0; i < n; i++) {
                    double g = grads[t - 1][i];
                    if (decoupled) {
                        p[i] -= lr * wd * p[i];
                    } else {
                        g += wd * p[i];
                    }
                    m[i] = beta1 * m[i] + (1 - beta1) * g;
                    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                    p[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
                }
            }
            return new float[][]{toFloat(p), toFloat(m), toFloat(v)};
        }, 1e-4, 1e-5);
    }
}
