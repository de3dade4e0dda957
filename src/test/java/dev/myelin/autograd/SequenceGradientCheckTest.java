package dev.myelin.autograd;

import dev.myelin.autograd.GradientCheckTest.Input;
import dev.myelin.backend.Backend;
import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.tensor.GradRecording;
import dev.myelin.tensor.Scope;
import dev.myelin.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static dev.myelin.autograd.GradientCheckTest.check;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

/**
 * {@link SequenceOps}' backwards against finite differences of double-precision references written
 * here (with {@link GradientCheckTest#check}), and the recurrent layers' forwards against
 * torch.nn.LSTM/GRU/RNN's equations.
 */
class SequenceGradientCheckTest {
    private static final Backend CPU = new CpuBackend();

    @AfterAll
    static void close() {
        CPU.close();
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    // ---------------------------------------------------------------- embeddings, normalisation, GELU

    @Test
    void embeddingWithRepeatedIds() {
        var random = new SplittableRandom(11);
        int vocab = 5, dim = 3;
        double[] ids = {1, 4, 1, 0, 1, 4};
        check("embedding", List.of(Input.of(random, vocab, dim), new Input(ids, new int[]{2, 3}, false)),
                t -> {
                    Tensor out = SequenceOps.embedding(t[0], t[1]);
                    assertThat(out.shape().dims()).containsExactly(2, 3, dim);
                    return out;
                },
                x -> {
                    double[] out = new double[ids.length * dim];
                    for (int i = 0; i < ids.length; i++) {
                        for (int j = 0; j < dim; j++) {
                            out[i * dim + j] = x[0][(int) x[1][i] * dim + j];
                        }
                    }
                    return out;
                });
    }

    @Test
    void layerNorm() {
        var random = new SplittableRandom(12);
        int rows = 6, cols = 5;
        float eps = 1e-5f;
        check("layer_norm", List.of(Input.random(random, -2, 2, 2, 3, cols), Input.random(random, 0.5, 1.5, cols),
                        Input.of(random, cols)),
                t -> SequenceOps.layerNorm(t[0], t[1], t[2], eps),
                x -> {
                    double[] out = new double[rows * cols];
                    for (int i = 0; i < rows; i++) {
                        double mean = 0;
                        for (int j = 0; j < cols; j++) {
                            mean += x[0][i * cols + j] / cols;
                        }
                        double var = 0;
                        for (int j = 0; j < cols; j++) {
                            var += Math.pow(x[0][i * cols + j] - mean, 2) / cols;
                        }
                        for (int j = 0; j < cols; j++) {
                            out[i * cols + j] = (x[0][i * cols + j] - mean) / Math.sqrt(var + eps) * x[1][j] + x[2][j];
                        }
                    }
                    return out;
                });
    }

    @Test
    void gelu() {
        var random = new SplittableRandom(13);
        double c = Math.sqrt(2 / Math.PI);
        check("gelu", List.of(Input.random(random, -4, 4, 3, 7)),
                t -> SequenceOps.gelu(t[0]),
                x -> {
                    double[] out = new double[x[0].length];
                    for (int i = 0; i < out.length; i++) {
                        double v = x[0][i];
                        out[i] = 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v * v * v)));
                    }
                    return out;
                });
    }

    // ---------------------------------------------------------------- attention

    @ParameterizedTest(name = "transA={0} transB={1}")
    @CsvSource({"false,false", "false,true", "true,false", "true,true"})
    void bmm(boolean transA, boolean transB) {
        var random = new SplittableRandom(transA ? (transB ? 1 : 2) : (transB ? 3 : 4));
        int batch = 3, m = 2, k = 4, n = 5;
        int[] aShape = transA ? new int[]{batch, k, m} : new int[]{batch, m, k};
        int[] bShape = transB ? new int[]{batch, n, k} : new int[]{batch, k, n};
        check("bmm", List.of(Input.of(random, aShape), Input.of(random, bShape)),
                t -> SequenceOps.bmm(t[0], t[1], transA, transB),
                x -> {
                    double[] out = new double[batch * m * n];
                    for (int e = 0; e < batch; e++) {
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                double s = 0;
                                for (int p = 0; p < k; p++) {
                                    double av = transA ? x[0][e * k * m + p * m + i] : x[0][e * m * k + i * k + p];
                                    double bv = transB ? x[1][e * n * k + j * k + p] : x[1][e * k * n + p * n + j];
                                    s += av * bv;
                                }
                                out[e * m * n + i * n + j] = s;
                            }
                        }
                    }
                    return out;
                });
    }

    @Test
    void bmmOverSeveralBatchDimensions() {
        try (var scope = Scope.open()) {
            Tensor a = Tensor.of(CPU, new float[]{1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 1, 2);
            Tensor b = Tensor.of(CPU, new float[]{1, 1, 2, 2, 3, 3, 4, 4}, 2, 2, 2, 1);
            Tensor c = SequenceOps.bmm(a, b, false, false);
            assertThat(c.shape().dims()).containsExactly(2, 2, 1, 1);
            assertThat(c.toArray()).containsExactly(3, 14, 33, 60);
            assertThatThrownBy(() -> SequenceOps.bmm(a, a, false, false))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bmm").hasMessageContaining("[2, 2, 1, 2]");
        }
    }

    @Test
    void causalSoftmax() {
        var random = new SplittableRandom(14);
        int blocks = 2, size = 4;
        float scale = 0.7f;
        check("causal_softmax", List.of(Input.random(random, -2, 2, blocks, size, size)),
                t -> SequenceOps.causalSoftmax(t[0], scale),
                x -> {
                    double[] out = new double[blocks * size * size];
                    for (int r = 0; r < blocks * size; r++) {
                        int i = r % size;
                        double sum = 0;
                        for (int j = 0; j <= i; j++) {
                            sum += Math.exp(scale * x[0][r * size + j]);
                        }
                        for (int j = 0; j <= i; j++) {
                            out[r * size + j] = Math.exp(scale * x[0][r * size + j]) / sum;
                        }
                    }
                    return out;
                });
    }

    // ---------------------------------------------------------------- shape ops

    /** Index of element (i0, i1, i2, i3) of a row-major [d0, d1, d2, d3] tensor. */
    private static int at(int[] d, int i0, int i1, int i2, int i3) {
        return ((i0 * d[1] + i1) * d[2] + i2) * d[3] + i3;
    }

    @ParameterizedTest(name = "axis={0}")
    @ValueSource(ints = {0, 1, 2, -1})
    void slice(int axis) {
        var random = new SplittableRandom(15 + axis);
        int[] d = {3, 4, 5, 2};
        int ax = axis < 0 ? 4 + axis : axis;
        int start = 1;
        int length = d[ax] - 2 > 0 ? d[ax] - 2 : 1;
        int[] o = d.clone();
        o[ax] = length;
        check("slice", List.of(Input.of(random, d)),
                t -> SequenceOps.slice(t[0], axis, start, length),
                x -> {
                    double[] out = new double[o[0] * o[1] * o[2] * o[3]];
                    for (int a = 0; a < o[0]; a++) {
                        for (int b = 0; b < o[1]; b++) {
                            for (int c = 0; c < o[2]; c++) {
                                for (int e = 0; e < o[3]; e++) {
                                    int[] src = {a, b, c, e};
                                    src[ax] += start;
                                    out[at(o, a, b, c, e)] = x[0][at(d, src[0], src[1], src[2], src[3])];
                                }
                            }
                        }
                    }
                    return out;
                });
    }

    @ParameterizedTest(name = "axis={0}")
    @ValueSource(ints = {0, 1, 3})
    void concat(int axis) {
        var random = new SplittableRandom(16 + axis);
        int[] lens = {2, 1, 3};
        List<Input> inputs = new ArrayList<>();
        int total = 0;
        for (int i = 0; i < lens.length; i++) {
            int[] d = {2, 3, 2, 2};
            d[axis] = lens[i];
            Input in = Input.of(random, d);
            inputs.add(i == 1 ? in.constant() : in);
            total += lens[i];
        }
        int[] o = {2, 3, 2, 2};
        o[axis] = total;
        check("concat", inputs,
                t -> SequenceOps.concat(axis, t),
                x -> {
                    double[] out = new double[o[0] * o[1] * o[2] * o[3]];
                    int offset = 0;
                    for (int p = 0; p < lens.length; p++) {
                        int[] d = {2, 3, 2, 2};
                        d[axis] = lens[p];
                        for (int a = 0; a < d[0]; a++) {
                            for (int b = 0; b < d[1]; b++) {
                                for (int c = 0; c < d[2]; c++) {
                                    for (int e = 0; e < d[3]; e++) {
                                        int[] dst = {a, b, c, e};
                                        dst[axis] += offset;
                                        out[at(o, dst[0], dst[1], dst[2], dst[3])] = x[p][at(d, a, b, c, e)];
                                    }
                                }
                            }
                        }
                        offset += lens[p];
                    }
                    return out;
                });
    }

    @ParameterizedTest(name = "shape=[{0}, {1}, {2}, {3}]")
    @CsvSource({"2,3,4,5", "5,2,3,1", "1,1,1,1"})
    void transpose12(int d0, int d1, int d2, int d3) {
        var random = new SplittableRandom(17 + d0);
        int[] d = {d0, d1, d2, d3};
        int[] o = {d0, d2, d1, d3};
        check("transpose12", List.of(Input.of(random, d)),
                t -> SequenceOps.transpose12(t[0]),
                x -> {
                    double[] out = new double[x[0].length];
                    for (int a = 0; a < d0; a++) {
                        for (int b = 0; b < d1; b++) {
                            for (int c = 0; c < d2; c++) {
                                for (int e = 0; e < d3; e++) {
                                    out[at(o, a, c, b, e)] = x[0][at(d, a, b, c, e)];
                                }
                            }
                        }
                    }
                    return out;
                });
    }

    // ---------------------------------------------------------------- recurrent layers: references

    /** The recurrent references' outputs: every step's h [B, T, H], and the final h and c. */
    private record RecurrentRef(double[] output, double[] h, double[] c) {
    }

    /** Row b of x_t W^T + bias for one gate block, W [G, in]. */
    private static double project(double[] w, double[] bias, int row, double[] v, int vOff, int in) {
        double s = bias == null ? 0 : bias[row];
        for (int p = 0; p < in; p++) {
            s += w[row * in + p] * v[vOff + p];
        }
        return s;
    }

    /** torch.nn.LSTM (batch_first, one layer), gate order i, f, g, o. */
    static RecurrentRef lstmReference(double[] x, double[] h0, double[] c0, double[] wIh, double[] wHh,
                                      double[] bIh, double[] bHh, int batch, int steps, int in, int hid) {
        double[] out = new double[batch * steps * hid];
        double[] h = h0.clone();
        double[] c = c0.clone();
        for (int t = 0; t < steps; t++) {
            double[] hn = new double[h.length];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < hid; j++) {
                    double[] pre = new double[4];
                    for (int q = 0; q < 4; q++) {
                        int row = q * hid + j;
                        pre[q] = project(wIh, bIh, row, x, (b * steps + t) * in, in) + project(wHh, bHh, row, h, b * hid, hid);
                    }
                    double i = sigmoid(pre[0]);
                    double f = sigmoid(pre[1]);
                    double g = Math.tanh(pre[2]);
                    double o = sigmoid(pre[3]);
                    c[b * hid + j] = f * c[b * hid + j] + i * g;
                    hn[b * hid + j] = o * Math.tanh(c[b * hid + j]);
                    out[(b * steps + t) * hid + j] = hn[b * hid + j];
                }
            }
            h = hn;
        }
        return new RecurrentRef(out, h, c);
    }

    /** torch.nn.GRU (batch_first, one layer), gate order r, z, n; b_hn stays inside r * (...). */
    static RecurrentRef gruReference(double[] x, double[] h0, double[] wIh, double[] wHh,
                                     double[] bIh, double[] bHh, int batch, int steps, int in, int hid) {
        double[] out = new double[batch * steps * hid];
        double[] h = h0.clone();
        for (int t = 0; t < steps; t++) {
            double[] hn = new double[h.length];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < hid; j++) {
                    int xo = (b * steps + t) * in;
                    double r = sigmoid(project(wIh, bIh, j, x, xo, in) + project(wHh, bHh, j, h, b * hid, hid));
                    double z = sigmoid(project(wIh, bIh, hid + j, x, xo, in) + project(wHh, bHh, hid + j, h, b * hid, hid));
                    double n = Math.tanh(project(wIh, bIh, 2 * hid + j, x, xo, in)
                            + r * project(wHh, bHh, 2 * hid + j, h, b * hid, hid));
                    hn[b * hid + j] = (1 - z) * n + z * h[b * hid + j];
                    out[(b * steps + t) * hid + j] = hn[b * hid + j];
                }
            }
            h = hn;
        }
        return new RecurrentRef(out, h, null);
    }

    /** torch.nn.RNN (batch_first, one layer, tanh). */
    static RecurrentRef rnnReference(double[] x, double[] h0, double[] wIh, double[] wHh,
                                     double[] bIh, double[] bHh, int batch, int steps, int in, int hid) {
        double[] out = new double[batch * steps * hid];
        double[] h = h0.clone();
        for (int t = 0; t < steps; t++) {
            double[] hn = new double[h.length];
            for (int b = 0; b < batch; b++) {
                for (int j = 0; j < hid; j++) {
                    hn[b * hid + j] = Math.tanh(project(wIh, bIh, j, x, (b * steps + t) * in, in)
                            + project(wHh, bHh, j, h, b * hid, hid));
                    out[(b * steps + t) * hid + j] = hn[b * hid + j];
                }
            }
            h = hn;
        }
        return new RecurrentRef(out, h, null);
    }

    // ---------------------------------------------------------------- recurrent layers: gradients

    private static final int B = 2, T = 4, I = 3, H = 3;

    @Test
    void lstmGradients() {
        var random = new SplittableRandom(21);
        check("lstm", List.of(Input.of(random, B, T, I), Input.of(random, B, H).constant(), Input.of(random, B, H).constant(),
                        Input.of(random, 4 * H, I), Input.of(random, 4 * H, H), Input.of(random, 4 * H), Input.of(random, 4 * H)),
                t -> RecurrentOps.lstm(t[0], t[1], t[2], t[3], t[4], t[5], t[6]).output(),
                x -> lstmReference(x[0], x[1], x[2], x[3], x[4], x[5], x[6], B, T, I, H).output());
    }

    @Test
    void lstmGradientsWithoutBiasesFromZeroState() {
        var random = new SplittableRandom(22);
        check("lstm (no bias, zero state)", List.of(Input.of(random, B, T, I), Input.of(random, 4 * H, I), Input.of(random, 4 * H, H)),
                t -> RecurrentOps.lstm(t[0], null, null, t[1], t[2], null, null).output(),
                x -> lstmReference(x[0], new double[B * H], new double[B * H], x[1], x[2], null, null, B, T, I, H).output());
    }

    @Test
    void gruGradients() {
        var random = new SplittableRandom(23);
        check("gru", List.of(Input.of(random, B, T, I), Input.of(random, B, H).constant(),
                        Input.of(random, 3 * H, I), Input.of(random, 3 * H, H), Input.of(random, 3 * H), Input.of(random, 3 * H)),
                t -> RecurrentOps.gru(t[0], t[1], t[2], t[3], t[4], t[5]).output(),
                x -> gruReference(x[0], x[1], x[2], x[3], x[4], x[5], B, T, I, H).output());
    }

    @Test
    void gruGradientsWithAConstantInput() {
        var random = new SplittableRandom(24);
        check("gru (constant x, only the hidden bias)", List.of(Input.of(random, B, T, I).constant(), Input.of(random, B, H).constant(),
                        Input.of(random, 3 * H, I), Input.of(random, 3 * H, H), Input.of(random, 3 * H)),
                t -> RecurrentOps.gru(t[0], t[1], t[2], t[3], null, t[4]).output(),
                x -> gruReference(x[0], x[1], x[2], x[3], null, x[4], B, T, I, H).output());
    }

    @Test
    void rnnGradients() {
        var random = new SplittableRandom(25);
        check("rnn", List.of(Input.of(random, B, T, I), Input.of(random, B, H).constant(),
                        Input.of(random, H, I), Input.of(random, H, H), Input.of(random, H), Input.of(random, H)),
                t -> RecurrentOps.rnn(t[0], t[1], t[2], t[3], t[4], t[5]).output(),
                x -> rnnReference(x[0], x[1], x[2], x[3], x[4], x[5], B, T, I, H).output());
    }

    // ---------------------------------------------------------------- recurrent layers: forward against torch's equations

    private static double[] values(SplittableRandom r, int n, double range) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * range);
        }
        return v;
    }

    private static Tensor tensor(double[] v, int... dims) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return Tensor.of(CPU, f, dims);
    }

    private static void assertClose(String what, float[] got, double[] want) {
        assertThat(got).as("%s length", what).hasSize(want.length);
        for (int i = 0; i < want.length; i++) {
            assertThat((double) got[i]).as("%s[%d]", what, i).isCloseTo(want[i], offset(2e-5));
        }
    }

    @ParameterizedTest(name = "recording={0}")
    @ValueSource(booleans = {true, false})
    void lstmAndGruForwardsMatchTorchEquations(boolean recording) {
        var r = new SplittableRandom(31);
        int b = 5, t = 7, in = 6, hid = 9;
        double s = 1 / Math.sqrt(hid);
        double[] x = values(r, b * t * in, 1);
        double[] h0 = values(r, b * hid, 0.5);
        double[] c0 = values(r, b * hid, 0.5);
        double[] wIh = values(r, 4 * hid * in, s);
        double[] wHh = values(r, 4 * hid * hid, s);
        double[] bIh = values(r, 4 * hid, s);
        double[] bHh = values(r, 4 * hid, s);
        try (var scope = Scope.open(); var noGrad = recording ? null : GradRecording.noGrad()) {
            Tensor wIhT = tensor(wIh, 4 * hid, in).requiresGrad(true);
            var lstm = RecurrentOps.lstm(tensor(x, b, t, in), tensor(h0, b, hid), tensor(c0, b, hid), wIhT,
                    tensor(wHh, 4 * hid, hid), tensor(bIh, 4 * hid), tensor(bHh, 4 * hid));
            RecurrentRef want = lstmReference(x, h0, c0, wIh, wHh, bIh, bHh, b, t, in, hid);
            assertClose("lstm output", lstm.output().toArray(), want.output());
            assertClose("lstm final h", lstm.finalHidden().toArray(), want.h());
            assertClose("lstm final c", lstm.finalCell().toArray(), want.c());
            assertThat(lstm.output().gradFn() != null).as("lstm output recorded").isEqualTo(recording);
            assertThat(lstm.finalHidden().gradFn()).as("final h is detached").isNull();

            int g3 = 3 * hid;
            double[] gIh = values(r, g3 * in, s);
            double[] gHh = values(r, g3 * hid, s);
            double[] gbIh = values(r, g3, s);
            double[] gbHh = values(r, g3, s);
            var gru = RecurrentOps.gru(tensor(x, b, t, in), tensor(h0, b, hid), tensor(gIh, g3, in).requiresGrad(true),
                    tensor(gHh, g3, hid), tensor(gbIh, g3), tensor(gbHh, g3));
            RecurrentRef gwant = gruReference(x, h0, gIh, gHh, gbIh, gbHh, b, t, in, hid);
            assertClose("gru output", gru.output().toArray(), gwant.output());
            assertClose("gru final h", gru.finalHidden().toArray(), gwant.h());
            assertThat(gru.finalCell()).isNull();

            var rnn = RecurrentOps.rnn(tensor(x, b, t, in), null, tensor(values(r, hid * in, s), hid, in),
                    tensor(values(r, hid * hid, s), hid, hid).requiresGrad(true), null, null);
            assertThat(rnn.output().shape().dims()).containsExactly(b, t, hid);
            float[] out = rnn.output().toArray();
            float[] last = rnn.finalHidden().toArray();
            for (int e = 0; e < b; e++) {
                for (int j = 0; j < hid; j++) {
                    assertThat(last[e * hid + j]).as("rnn final h is the last step").isEqualTo(out[(e * t + t - 1) * hid + j]);
                }
            }
        }
    }

    @Test
    void recurrentShapesAreChecked() {
        try (var scope = Scope.open()) {
            Tensor x = Tensor.zeros(CPU, 2, 3, 4);
            Tensor wHh = Tensor.zeros(CPU, 20, 5);
            assertThatThrownBy(() -> RecurrentOps.lstm(x, null, null, Tensor.zeros(CPU, 20, 3), wHh, null, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lstm").hasMessageContaining("[20, 3]");
            assertThatThrownBy(() -> RecurrentOps.gru(x, Tensor.zeros(CPU, 3, 5), Tensor.zeros(CPU, 15, 4),
                    Tensor.zeros(CPU, 15, 5), null, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gru").hasMessageContaining("[3, 5]");
            assertThatThrownBy(() -> RecurrentOps.rnn(Tensor.zeros(CPU, 2, 4), null, Tensor.zeros(CPU, 5, 4),
                    wHh, null, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rnn");
        }
    }

    /** Truncated BPTT as a caller writes it: each chunk in its own scope, the final state kept across. */
    @Test
    void chunksInScopesHoldMemoryFlatAndCarryTheState() {
        var r = new SplittableRandom(41);
        int b = 3, t = 5, in = 4, hid = 6;
        Backend be = new CpuBackend();
        Tensor wIh = tensorOn(be, values(r, 4 * hid * in, 0.4), 4 * hid, in).keep().requiresGrad(true);
        Tensor wHh = tensorOn(be, values(r, 4 * hid * hid, 0.4), 4 * hid, hid).keep().requiresGrad(true);
        Tensor bias = tensorOn(be, values(r, 4 * hid, 0.4), 4 * hid).keep().requiresGrad(true);
        double[] x1 = values(r, b * t * in, 1);
        double[] x2 = values(r, b * t * in, 1);
        Tensor h = null;
        Tensor c = null;
        long baseline = -1;
        float[] afterTwoChunks = null;
        for (int chunk = 0; chunk < 6; chunk++) {
            try (var scope = Scope.open()) {
                Tensor x = tensorOn(be, chunk % 2 == 0 ? x1 : x2, b, t, in);
                var result = RecurrentOps.lstm(x, h, c, wIh, wHh, bias, null);
                Ops.sum(result.output()).backward();
                if (h != null) {
                    h.close();
                    c.close();
                }
                h = result.finalHidden().keep();
                c = result.finalCell().keep();
                if (chunk == 1) {
                    afterTwoChunks = h.toArray();
                }
            }
            if (chunk == 1) {
                baseline = be.memoryStats().bytesInUse();
            } else if (chunk > 1) {
                assertThat(be.memoryStats().bytesInUse()).as("bytes in use after chunk %d", chunk).isEqualTo(baseline);
            }
        }
        // Chunk 1 started from chunk 0's final state: the same as one LSTM over both chunks back to back.
        double[] joined = new double[2 * x1.length];
        for (int e = 0; e < b; e++) {
            System.arraycopy(x1, e * t * in, joined, e * 2 * t * in, t * in);
            System.arraycopy(x2, e * t * in, joined, e * 2 * t * in + t * in, t * in);
        }
        double[] wi = new double[4 * hid * in];
        double[] wh = new double[4 * hid * hid];
        double[] bi = new double[4 * hid];
        float[][] got = {wIh.toArray(), wHh.toArray(), bias.toArray()};
        double[][] into = {wi, wh, bi};
        for (int q = 0; q < 3; q++) {
            for (int i = 0; i < into[q].length; i++) {
                into[q][i] = got[q][i];
            }
        }
        RecurrentRef both = lstmReference(joined, new double[b * hid], new double[b * hid], wi, wh, bi, null, b, 2 * t, in, hid);
        assertClose("final h after two chunks", afterTwoChunks, both.h());
        h.close();
        c.close();
        wIh.close();
        wHh.close();
        bias.close();
        assertThat(be.memoryStats().bytesInUse()).as("everything returned").isZero();
        be.close();
    }

    private static Tensor tensorOn(Backend be, double[] v, int... dims) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return Tensor.of(be, f, dims);
    }
}
