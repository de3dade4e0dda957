package dev.myelin.autograd;

import dev.myelin.backend.Activation;
import dev.myelin.backend.Backend;
import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.tensor.Scope;
import dev.myelin.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every differentiable op's backward against central finite differences of a plain double-precision
 * reference forward. Each check reduces the op's output to L = sum(out * r) for a random r, so one
 * backward with gradient r gives dL/d(input), which must match (L(x + h) - L(x - h)) / 2h.
 */
class GradientCheckTest {
    private static final Backend CPU = new CpuBackend();
    private static final double H = 1e-5;

    @AfterAll
    static void close() {
        CPU.close();
    }

    /** A reference forward: input arrays (double) to output array (double). */
    interface Reference extends Function<double[][], double[]> {
    }

    /** The op under test, from leaf tensors to an output tensor. */
    interface Op extends Function<Tensor[], Tensor> {
    }

    record Input(double[] values, int[] shape, boolean requiresGrad) {
        static Input of(SplittableRandom random, int... shape) {
            return random(random, -1, 1, shape);
        }

        static Input random(SplittableRandom random, double lo, double hi, int... shape) {
            int n = 1;
            for (int d : shape) {
                n *= d;
            }
            double[] values = new double[n];
            for (int i = 0; i < n; i++) {
                values[i] = (float) (lo + random.nextDouble() * (hi - lo));
            }
            return new Input(values, shape, true);
        }

        Input constant() {
            return new Input(values, shape, false);
        }
    }

    static void check(String name, List<Input> inputs, Op op, Reference reference) {
        SplittableRandom random = new SplittableRandom(name.hashCode());
        try (var scope = Scope.open()) {
            Tensor[] leaves = new Tensor[inputs.size()];
            double[][] ref = new double[inputs.size()][];
            for (int i = 0; i < leaves.length; i++) {
                Input in = inputs.get(i);
                float[] f = new float[in.values().length];
                for (int j = 0; j < f.length; j++) {
                    f[j] = (float) in.values()[j];
                }
                leaves[i] = Tensor.of(CPU, f, in.shape()).requiresGrad(in.requiresGrad());
                ref[i] = in.values().clone();
            }
            Tensor out = op.apply(leaves);
            double[] refOut = reference.apply(ref);
            float[] got = out.toArray();
            assertThat(got).as("%s forward size", name).hasSize(refOut.length);
            for (int i = 0; i < got.length; i++) {
                assertThat((double) got[i]).as("%s forward[%d]", name, i)
                        .isCloseTo(refOut[i], org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(refOut[i]))));
            }
            float[] r = new float[got.length];
            double[] rd = new double[got.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = (float) (random.nextDouble() * 2 - 1);
                rd[i] = r[i];
            }
            out.backward(Tensor.of(CPU, r, out.shape().dims()));
            for (int i = 0; i < leaves.length; i++) {
                if (!inputs.get(i).requiresGrad()) {
                    assertThat(leaves[i].grad()).as("%s: no gradient for a constant input", name).isNull();
                    continue;
                }
                assertThat(leaves[i].grad()).as("%s: gradient of input %d", name, i).isNotNull();
                float[] analytic = leaves[i].grad().toArray();
                for (int j = 0; j < analytic.length; j++) {
                    double saved = ref[i][j];
                    ref[i][j] = saved + H;
                    double plus = dot(reference.apply(ref), rd);
                    ref[i][j] = saved - H;
                    double minus = dot(reference.apply(ref), rd);
                    ref[i][j] = saved;
                    double numeric = (plus - minus) / (2 * H);
                    assertThat((double) analytic[j]).as("%s d/d input%d[%d]", name, i, j)
                            .isCloseTo(numeric, org.assertj.core.data.Offset.offset(2e-3 * (1 + Math.abs(numeric))));
                }
                leaves[i].close();
            }
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static double act(Activation a, double x) {
        return switch (a) {
            case IDENTITY -> x;
            case RELU -> Math.max(0, x);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
        };
    }

    /** Inputs kept away from ReLU's kink at 0, where the finite difference is meaningless. */
    private static Input awayFromZero(SplittableRandom random, int... shape) {
        Input in = Input.of(random, shape);
        double[] v = in.values();
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.copySign(0.1 + Math.abs(v[i]), v[i]);
        }
        return in;
    }

    @Test
    void matmul() {
        var random = new SplittableRandom(1);
        int m = 3, k = 4, n = 5;
        check("matmul", List.of(Input.of(random, m, k), Input.of(random, k, n)),
                t -> Ops.matmul(t[0], t[1]),
                x -> {
                    double[] c = new double[m * n];
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            for (int p = 0; p < k; p++) {
                                c[i * n + j] += x[0][i * k + p] * x[1][p * n + j];
                            }
                        }
                    }
                    return c;
                });
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void linearWithBiasAndActivation(Activation activation) {
        var random = new SplittableRandom(2);
        int rows = 4, in = 6, out = 3;
        // Pre-activations of a ReLU must stay off the kink: a small weight scale and a bias offset do it
        // for these inputs, and the check below skips nothing.
        Input x = Input.of(random, rows, in);
        Input w = Input.of(random, out, in);
        Input b = Input.of(random, out);
        Reference reference = v -> {
            double[] y = new double[rows * out];
            for (int r = 0; r < rows; r++) {
                for (int o = 0; o < out; o++) {
                    double s = v[2][o];
                    for (int i = 0; i < in; i++) {
                        s += v[0][r * in + i] * v[1][o * in + i];
                    }
                    y[r * out + o] = act(activation, s);
                }
            }
            return y;
        };
        double[] pre = reference.apply(new double[][]{x.values(), w.values(), b.values()});
        if (activation == Activation.RELU) {
            // Recompute without the activation to make sure no pre-activation sits within H of zero.
            Reference linearOnly = v -> {
                double[] y = new double[rows * out];
                for (int r = 0; r < rows; r++) {
                    for (int o = 0; o < out; o++) {
                        double s = v[2][o];
                        for (int i = 0; i < in; i++) {
                            s += v[0][r * in + i] * v[1][o * in + i];
                        }
                        y[r * out + o] = s;
                    }
                }
                return y;
            };
            for (double p : linearOnly.apply(new double[][]{x.values(), w.values(), b.values()})) {
                assertThat(Math.abs(p)).as("test data must stay off ReLU's kink").isGreaterThan(1e-3);
            }
        }
        assertThat(pre).hasSize(rows * out);
        check("linear+" + activation, List.of(x, w, b),
                t -> Ops.linear(t[0], t[1], t[2], activation), reference);
    }

    @Test
    void linearWithoutBiasOnAConstantInput() {
        var random = new SplittableRandom(3);
        int rows = 2, in = 3, out = 4;
        check("linear no bias", List.of(Input.of(random, rows, in).constant(), Input.of(random, out, in)),
                t -> Ops.linear(t[0], t[1], null, Activation.IDENTITY),
                v -> {
                    double[] y = new double[rows * out];
                    for (int r = 0; r < rows; r++) {
                        for (int o = 0; o < out; o++) {
                            for (int i = 0; i < in; i++) {
                                y[r * out + o] += v[0][r * in + i] * v[1][o * in + i];
                            }
                        }
                    }
                    return y;
                });
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void activation(Activation activation) {
        var random = new SplittableRandom(4);
        check(activation.name(), List.of(awayFromZero(random, 3, 5)),
                t -> Ops.activation(t[0], activation),
                v -> {
                    double[] y = new double[v[0].length];
                    for (int i = 0; i < y.length; i++) {
                        y[i] = act(activation, v[0][i]);
                    }
                    return y;
                });
    }

    /** b's shapes for an a of [3, 4]: same shape, row, column, scalar. */
    private static final int[][] BROADCAST_SHAPES = {{3, 4}, {4}, {3, 1}, {1}};

    private static double bAt(double[] b, int[] shape, int r, int c) {
        if (shape.length == 2 && shape[1] == 4) {
            return b[r * 4 + c];
        } else if (shape.length == 1 && shape[0] == 4) {
            return b[c];
        } else if (shape.length == 2) {
            return b[r];
        }
        return b[0];
    }

    @Test
    void binaryOpsWithEveryBroadcast() {
        var random = new SplittableRandom(5);
        for (int[] bShape : BROADCAST_SHAPES) {
            for (String op : List.of("add", "sub", "mul")) {
                check(op + " b" + java.util.Arrays.toString(bShape), List.of(Input.of(random, 3, 4), Input.of(random, bShape)),
                        t -> switch (op) {
                            case "add" -> Ops.add(t[0], t[1]);
                            case "sub" -> Ops.sub(t[0], t[1]);
                            default -> Ops.mul(t[0], t[1]);
                        },
                        v -> {
                            double[] y = new double[12];
                            for (int r = 0; r < 3; r++) {
                                for (int c = 0; c < 4; c++) {
                                    double a = v[0][r * 4 + c];
                                    double b = bAt(v[1], bShape, r, c);
                                    y[r * 4 + c] = switch (op) {
                                        case "add" -> a + b;
                                        case "sub" -> a - b;
                                        default -> a * b;
                                    };
                                }
                            }
                            return y;
                        });
            }
        }
    }

    @Test
    void scaleSumMeanAndReshape() {
        var random = new SplittableRandom(6);
        check("scale", List.of(Input.of(random, 2, 3)), t -> Ops.scale(t[0], -2.5f), v -> {
            double[] y = v[0].clone();
            for (int i = 0; i < y.length; i++) {
                y[i] *= -2.5;
            }
            return y;
        });
        check("sum", List.of(Input.of(random, 2, 3)), t -> Ops.sum(t[0]),
                v -> new double[]{java.util.Arrays.stream(v[0]).sum()});
        check("mean", List.of(Input.of(random, 2, 3)), t -> Ops.mean(t[0]),
                v -> new double[]{java.util.Arrays.stream(v[0]).average().orElseThrow()});
        check("reshape then mul", List.of(Input.of(random, 2, 6), Input.of(random, 3)),
                t -> Ops.mul(t[0].reshape(4, 3), t[1]),
                v -> {
                    double[] y = new double[12];
                    for (int i = 0; i < 12; i++) {
                        y[i] = v[0][i] * v[1][i % 3];
                    }
                    return y;
                });
    }

    @Test
    void softmax() {
        var random = new SplittableRandom(7);
        int rows = 3, cols = 5;
        check("softmax", List.of(Input.random(random, -3, 3, rows, cols)), t -> Ops.softmax(t[0]),
                v -> softmaxReference(v[0], rows, cols));
    }

    private static double[] softmaxReference(double[] x, int rows, int cols) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, x[r * cols + c]);
            }
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += Math.exp(x[r * cols + c] - max);
            }
            for (int c = 0; c < cols; c++) {
                y[r * cols + c] = Math.exp(x[r * cols + c] - max) / sum;
            }
        }
        return y;
    }

    @Test
    void crossEntropy() {
        var random = new SplittableRandom(8);
        int rows = 4, cols = 6;
        double[] labels = {0, 5, 2, 2};
        check("cross_entropy", List.of(Input.random(random, -4, 4, rows, cols), new Input(labels, new int[]{rows}, false)),
                t -> Ops.crossEntropy(t[0], t[1]),
                v -> {
                    double[] p = softmaxReference(v[0], rows, cols);
                    double loss = 0;
                    for (int r = 0; r < rows; r++) {
                        loss -= Math.log(p[r * cols + (int) v[1][r]]);
                    }
                    return new double[]{loss / rows};
                });
    }

    @Test
    void mse() {
        var random = new SplittableRandom(9);
        check("mse", List.of(Input.of(random, 3, 4), Input.of(random, 3, 4).constant()),
                t -> Ops.mse(t[0], t[1]),
                v -> {
                    double s = 0;
                    for (int i = 0; i < v[0].length; i++) {
                        s += (v[0][i] - v[1][i]) * (v[0][i] - v[1][i]);
                    }
                    return new double[]{s / v[0].length};
                });
    }

    @Test
    void aTensorUsedTwiceGetsBothGradients() {
        var random = new SplittableRandom(10);
        check("x*x + x", List.of(Input.of(random, 2, 3)), t -> Ops.add(Ops.mul(t[0], t[0]), t[0]), v -> {
            double[] y = new double[v[0].length];
            for (int i = 0; i < y.length; i++) {
                y[i] = v[0][i] * v[0][i] + v[0][i];
            }
            return y;
        });
    }

    // ---------------------------------------------------------------- convolutional ops

    private static double[] convReference(double[] x, double[] w, double[] b, int n, int c, int h, int wd,
                                          int o, int k, int stride, int pad) {
        int oh = (h + 2 * pad - k) / stride + 1;
        int ow = (wd + 2 * pad - k) / stride + 1;
        double[] y = new double[n * o * oh * ow];
        for (int s = 0; s < n; s++) {
            for (int f = 0; f < o; f++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double sum = b == null ? 0 : b[f];
                        for (int ch = 0; ch < c; ch++) {
                            for (int p = 0; p < k; p++) {
                                for (int q = 0; q < k; q++) {
                                    int ih = i * stride - pad + p;
                                    int iw = j * stride - pad + q;
                                    if (ih >= 0 && ih < h && iw >= 0 && iw < wd) {
                                        sum += x[((s * c + ch) * h + ih) * wd + iw] * w[((f * c + ch) * k + p) * k + q];
                                    }
                                }
                            }
                        }
                        y[((s * o + f) * oh + i) * ow + j] = sum;
                    }
                }
            }
        }
        return y;
    }

    @ParameterizedTest(name = "conv2d stride={0} padding={1}")
    @org.junit.jupiter.params.provider.CsvSource({"1, 0", "1, 1", "2, 0", "2, 1"})
    void conv2dWithBias(int stride, int padding) {
        var random = new SplittableRandom(20 + 2 * stride + padding);
        int n = 2, c = 2, h = 5, w = 6, o = 3, k = 3;
        check("conv2d s" + stride + " p" + padding,
                List.of(Input.of(random, n, c, h, w), Input.of(random, o, c, k, k), Input.of(random, o)),
                t -> ConvOps.conv2d(t[0], t[1], t[2], stride, padding, Activation.IDENTITY),
                v -> convReference(v[0], v[1], v[2], n, c, h, w, o, k, stride, padding));
    }

    @Test
    void conv2dWithoutBiasInputConstant() {
        var random = new SplittableRandom(31);
        int n = 3, c = 1, h = 4, w = 4, o = 2, k = 2;
        check("conv2d no bias",
                List.of(Input.of(random, n, c, h, w).constant(), Input.of(random, o, c, k, k)),
                t -> ConvOps.conv2d(t[0], t[1], null, 1, 1, Activation.IDENTITY),
                v -> convReference(v[0], v[1], null, n, c, h, w, o, k, 1, 1));
    }

    /** Inputs whose values differ by far more than H, so no max-pool window has a near tie. */
    private static Input spread(SplittableRandom random, int... shape) {
        Input in = Input.of(random, shape);
        double[] v = in.values();
        int[] order = random.ints(v.length, 0, Integer.MAX_VALUE).toArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (i * 0.01 * ((order[i] & 1) == 0 ? 1 : -1) + 0.001 * (order[i] % 7));
        }
        return in;
    }

    private static double[] poolReference(double[] x, int n, int c, int h, int w, int k, int s, int pad, boolean max) {
        int oh = (h + 2 * pad - k) / s + 1;
        int ow = (w + 2 * pad - k) / s + 1;
        double[] y = new double[n * c * oh * ow];
        for (int pl = 0; pl < n * c; pl++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    for (int p = 0; p < k; p++) {
                        for (int q = 0; q < k; q++) {
                            int ih = i * s - pad + p;
                            int iw = j * s - pad + q;
                            if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
                                double v = x[pl * h * w + ih * w + iw];
                                acc = max ? Math.max(acc, v) : acc + v / (k * k);
                            }
                        }
                    }
                    y[(pl * oh + i) * ow + j] = acc;
                }
            }
        }
        return y;
    }

    @ParameterizedTest(name = "maxPool2d k={0} stride={1} padding={2}")
    @org.junit.jupiter.params.provider.CsvSource({"2, 2, 0", "3, 2, 1", "3, 1, 1"})
    void maxPool2d(int k, int s, int pad) {
        var random = new SplittableRandom(40 + k + s + pad);
        int n = 2, c = 2, h = 5, w = 6;
        check("max_pool2d", List.of(spread(random, n, c, h, w)),
                t -> ConvOps.maxPool2d(t[0], k, s, pad),
                v -> poolReference(v[0], n, c, h, w, k, s, pad, true));
    }

    @ParameterizedTest(name = "avgPool2d k={0} stride={1} padding={2}")
    @org.junit.jupiter.params.provider.CsvSource({"2, 2, 0", "3, 2, 1", "3, 1, 1"})
    void avgPool2d(int k, int s, int pad) {
        var random = new SplittableRandom(50 + k + s + pad);
        int n = 2, c = 2, h = 5, w = 6;
        check("avg_pool2d", List.of(Input.of(random, n, c, h, w)),
                t -> ConvOps.avgPool2d(t[0], k, s, pad),
                v -> poolReference(v[0], n, c, h, w, k, s, pad, false));
    }

    @Test
    void dropoutWithAFixedMask() {
        var random = new SplittableRandom(60);
        int rows = 4, cols = 9;
        float p = 0.4f;
        long seed = 1234;
        float scale = 1f / (1f - p);
        check("dropout", List.of(Input.of(random, rows, cols)),
                t -> ConvOps.dropout(t[0], p, seed),
                v -> {
                    double[] y = new double[v[0].length];
                    for (int i = 0; i < y.length; i++) {
                        y[i] = dev.myelin.backend.DeviceRandom.uniform(seed, i) >= p ? v[0][i] * scale : 0;
                    }
                    return y;
                });
    }

    private static double[] batchNormReference(double[] x, double[] gamma, double[] beta, int n, int c, int spatial) {
        double[] y = new double[x.length];
        int m = n * spatial;
        for (int ch = 0; ch < c; ch++) {
            double mean = 0;
            for (int s = 0; s < n; s++) {
                for (int i = 0; i < spatial; i++) {
                    mean += x[(s * c + ch) * spatial + i] / m;
                }
            }
            double var = 0;
            for (int s = 0; s < n; s++) {
                for (int i = 0; i < spatial; i++) {
                    double d = x[(s * c + ch) * spatial + i] - mean;
                    var += d * d / m;
                }
            }
            for (int s = 0; s < n; s++) {
                for (int i = 0; i < spatial; i++) {
                    int at = (s * c + ch) * spatial + i;
                    y[at] = (x[at] - mean) / Math.sqrt(var + 1e-5) * gamma[ch] + beta[ch];
                }
            }
        }
        return y;
    }

    @Test
    void batchNorm2dTraining() {
        var random = new SplittableRandom(70);
        int n = 3, c = 2, h = 2, w = 3;
        check("batch_norm 2d", List.of(Input.of(random, n, c, h, w), Input.random(random, 0.5, 1.5, c), Input.of(random, c)),
                t -> ConvOps.batchNorm(t[0], t[1], t[2], null, null, true, 0.1f, 1e-5f),
                v -> batchNormReference(v[0], v[1], v[2], n, c, h * w));
    }

    @Test
    void batchNorm1dTraining() {
        var random = new SplittableRandom(71);
        int n = 5, c = 3;
        check("batch_norm 1d", List.of(Input.of(random, n, c), Input.random(random, 0.5, 1.5, c), Input.of(random, c)),
                t -> ConvOps.batchNorm(t[0], t[1], t[2], null, null, true, 0.1f, 1e-5f),
                v -> batchNormReference(v[0], v[1], v[2], n, c, 1));
    }
}
