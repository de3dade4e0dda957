package dev.myelin.backend.cpu;

import dev.myelin.backend.Buffer;
import dev.myelin.backend.UnaryOp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The CPU backend's sequence-model ops against plain double-precision loops written here, over odd
 * shapes, shapes large enough to run in parallel, and the in-place forms the contract allows.
 */
class SequenceKernelsTest {
    private static final CpuBackend CPU = new CpuBackend();

    @AfterAll
    static void close() {
        CPU.close();
    }

    private static float[] random(SplittableRandom r, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (lo + r.nextDouble() * (hi - lo));
        }
        return v;
    }

    private static Buffer upload(float[] v) {
        Buffer b = CPU.allocate(v.length);
        CPU.upload(v, 0, b, 0, v.length);
        return b;
    }

    private static float[] download(Buffer b) {
        float[] v = new float[b.length()];
        CPU.download(b, 0, v, 0, v.length);
        return v;
    }

    private static void assertClose(String what, float[] got, double[] want, double tol) {
        assertThat(got).as("%s length", what).hasSize(want.length);
        for (int i = 0; i < want.length; i++) {
            // Only a mismatch goes through AssertJ: a described assertion per element would dominate the run time.
            if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) {
                assertThat((double) got[i]).as("%s[%d]", what, i).isCloseTo(want[i], offset(tol * (1 + Math.abs(want[i]))));
            }
        }
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    // ---------------------------------------------------------------- gemmBatched

    @ParameterizedTest(name = "batch={0} m={1} n={2} k={3}")
    @CsvSource({"1,3,5,7", "3,17,33,9", "5,1,1,1", "8,128,128,32", "2,70,130,257", "12,31,5,64"})
    void gemmBatchedEveryTranspose(int batch, int m, int n, int k) {
        SplittableRandom r = new SplittableRandom(batch * 31 + m);
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 2) != 0;
            boolean tb = (t & 1) != 0;
            for (boolean shareB : new boolean[]{false, true}) {
                int strideA = m * k + 3;      // gaps between entries: strides need not equal the matrix size
                int strideB = shareB ? 0 : k * n + 1;
                int strideC = m * n + 2;
                float[] a = random(r, strideA * batch, -1, 1);
                float[] b = random(r, shareB ? k * n : strideB * batch, -1, 1);
                float[] c = random(r, strideC * batch, -1, 1);
                float alpha = 0.75f;
                float beta = t == 3 ? 0f : 0.5f;
                double[] want = new double[c.length];
                for (int i = 0; i < c.length; i++) {
                    want[i] = c[i];
                }
                for (int e = 0; e < batch; e++) {
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double s = 0;
                            for (int p = 0; p < k; p++) {
                                double av = ta ? a[e * strideA + p * m + i] : a[e * strideA + i * k + p];
                                double bv = tb ? b[e * strideB + j * k + p] : b[e * strideB + p * n + j];
                                s += av * bv;
                            }
                            int o = e * strideC + i * n + j;
                            want[o] = alpha * s + (beta == 0f ? 0 : beta * c[o]);
                        }
                    }
                }
                Buffer cb = upload(c);
                CPU.gemmBatched(ta, tb, m, n, k, alpha, upload(a), strideA, upload(b), strideB, beta, cb, strideC, batch);
                assertClose("gemmBatched tA=" + ta + " tB=" + tb + " shareB=" + shareB, download(cb), want, 1e-4);
            }
        }
    }

    // ---------------------------------------------------------------- copyStrided

    @ParameterizedTest(name = "batches={0} rows={1} cols={2} accumulate={3}")
    @CsvSource({"1,1,1,false", "3,5,7,false", "3,5,7,true", "64,128,32,false", "64,128,32,true"})
    void copyStridedMatchesLoops(int batches, int rows, int cols, boolean accumulate) {
        SplittableRandom r = new SplittableRandom(rows);
        int srcRowStride = cols + 2;
        int srcBatchStride = rows * srcRowStride + 1;
        int dstRowStride = cols + 5;
        int dstBatchStride = rows * dstRowStride + 3;
        float[] src = random(r, 4 + batches * srcBatchStride, -1, 1);
        float[] dst = random(r, 7 + batches * dstBatchStride, -1, 1);
        double[] want = new double[dst.length];
        for (int i = 0; i < dst.length; i++) {
            want[i] = dst[i];
        }
        for (int b = 0; b < batches; b++) {
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    int d = 7 + b * dstBatchStride + i * dstRowStride + j;
                    double v = src[4 + b * srcBatchStride + i * srcRowStride + j];
                    want[d] = accumulate ? want[d] + v : v;
                }
            }
        }
        Buffer db = upload(dst);
        CPU.copyStrided(upload(src), 4, srcBatchStride, srcRowStride, db, 7, dstBatchStride, dstRowStride,
                batches, rows, cols, accumulate);
        assertClose("copyStrided", download(db), want, 1e-6);
    }

    // ---------------------------------------------------------------- softmax

    @ParameterizedTest(name = "blocks={0} T={1} inPlace={2}")
    @CsvSource({"1,1,false", "3,7,false", "3,7,true", "64,128,false", "64,128,true"})
    void causalSoftmaxAndItsBackward(int blocks, int t, boolean inPlace) {
        SplittableRandom r = new SplittableRandom(t);
        int rows = blocks * t;
        float scale = 0.35f;
        float[] x = random(r, rows * t, -4, 4);
        float[] dy = random(r, rows * t, -1, 1);
        double[] want = new double[x.length];
        double[] wantDx = new double[x.length];
        for (int row = 0; row < rows; row++) {
            int i = row % t;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j <= i; j++) {
                max = Math.max(max, scale * x[row * t + j]);
            }
            double sum = 0;
            for (int j = 0; j <= i; j++) {
                sum += Math.exp(scale * x[row * t + j] - max);
            }
            double dot = 0;
            for (int j = 0; j <= i; j++) {
                want[row * t + j] = Math.exp(scale * x[row * t + j] - max) / sum;
                dot += want[row * t + j] * dy[row * t + j];
            }
            for (int j = 0; j < t; j++) {
                wantDx[row * t + j] = scale * want[row * t + j] * (dy[row * t + j] - dot);
            }
        }
        Buffer xb = upload(x);
        Buffer yb = inPlace ? xb : CPU.allocate(x.length);
        CPU.causalSoftmax(xb, yb, rows, t, scale);
        float[] y = download(yb);
        assertClose("causalSoftmax", y, want, 1e-5);
        for (int row = 0; row < rows; row++) {
            for (int j = row % t + 1; j < t; j++) {
                if (y[row * t + j] != 0f) {
                    assertThat(y[row * t + j]).as("masked [%d, %d]", row, j).isZero();
                }
            }
        }
        Buffer dyb = upload(dy);
        Buffer dxb = inPlace ? dyb : CPU.allocate(x.length);
        CPU.softmaxBackward(yb, dyb, dxb, rows, t, scale);
        assertClose("softmaxBackward", download(dxb), wantDx, 1e-5);
    }

    // ---------------------------------------------------------------- layer norm

    @ParameterizedTest(name = "rows={0} cols={1} inPlace={2}")
    @CsvSource({"1,1,false", "5,7,false", "5,7,true", "4096,128,false", "33,300,true"})
    void layerNormAndItsBackward(int rows, int cols, boolean inPlace) {
        SplittableRandom r = new SplittableRandom(rows * 7 + cols);
        float eps = 1e-5f;
        float[] x = random(r, rows * cols, -2, 3);
        float[] gamma = random(r, cols, 0.5, 1.5);
        float[] beta = random(r, cols, -1, 1);
        float[] dy = random(r, rows * cols, -1, 1);
        double[] want = new double[x.length];
        double[] wantMean = new double[rows];
        double[] wantInv = new double[rows];
        double[] wantDx = new double[x.length];
        double[] wantDg = new double[cols];
        double[] wantDb = new double[cols];
        for (int i = 0; i < rows; i++) {
            double mean = 0;
            for (int j = 0; j < cols; j++) {
                mean += x[i * cols + j];
            }
            mean /= cols;
            double var = 0;
            for (int j = 0; j < cols; j++) {
                var += (x[i * cols + j] - mean) * (x[i * cols + j] - mean);
            }
            var /= cols;
            double inv = 1 / Math.sqrt(var + eps);
            wantMean[i] = mean;
            wantInv[i] = inv;
            double sumG = 0;
            double sumGx = 0;
            for (int j = 0; j < cols; j++) {
                double xhat = (x[i * cols + j] - mean) * inv;
                want[i * cols + j] = xhat * gamma[j] + beta[j];
                double g = dy[i * cols + j] * gamma[j];
                sumG += g;
                sumGx += g * xhat;
                wantDg[j] += dy[i * cols + j] * xhat;
                wantDb[j] += dy[i * cols + j];
            }
            for (int j = 0; j < cols; j++) {
                double xhat = (x[i * cols + j] - mean) * inv;
                wantDx[i * cols + j] = inv / cols * (cols * dy[i * cols + j] * gamma[j] - sumG - xhat * sumGx);
            }
        }
        Buffer xb = upload(x);
        Buffer gb = upload(gamma);
        Buffer mean = CPU.allocate(rows);
        Buffer inv = CPU.allocate(rows);
        Buffer yb = inPlace ? CPU.allocate(x.length) : CPU.allocate(x.length);
        if (inPlace) {
            CPU.copy(xb, 0, yb, 0, x.length);
            CPU.layerNorm(yb, gb, upload(beta), yb, mean, inv, rows, cols, eps);
        } else {
            CPU.layerNorm(xb, gb, upload(beta), yb, mean, inv, rows, cols, eps);
        }
        assertClose("layerNorm", download(yb), want, 1e-4);
        assertClose("layerNorm mean", download(mean), wantMean, 1e-5);
        assertClose("layerNorm invStd", download(inv), wantInv, 1e-4);
        Buffer dx = CPU.allocate(x.length);
        Buffer dg = CPU.allocate(cols);
        Buffer db = CPU.allocate(cols);
        CPU.layerNormBackward(xb, upload(dy), gb, mean, inv, dx, dg, db, rows, cols);
        assertClose("layerNormBackward dx", download(dx), wantDx, 1e-3);
        assertClose("layerNormBackward dgamma", download(dg), wantDg, 1e-3);
        assertClose("layerNormBackward dbeta", download(db), wantDb, 1e-3);
        // Each gradient may be skipped on its own.
        Buffer dx2 = CPU.allocate(x.length);
        CPU.layerNormBackward(xb, upload(dy), gb, mean, inv, dx2, null, null, rows, cols);
        assertClose("layerNormBackward dx alone", download(dx2), wantDx, 1e-3);
        Buffer dg2 = CPU.allocate(cols);
        CPU.layerNormBackward(xb, upload(dy), gb, mean, inv, null, dg2, null, rows, cols);
        assertClose("layerNormBackward dgamma alone", download(dg2), wantDg, 1e-3);
    }

    // ---------------------------------------------------------------- embedding

    @ParameterizedTest(name = "n={0} dim={1} vocab={2}")
    @CsvSource({"1,1,1", "9,5,4", "4096,128,80", "300,33,1000"})
    void embeddingGatherAndDeterministicScatter(int n, int dim, int vocab) {
        SplittableRandom r = new SplittableRandom(n + dim);
        float[] table = random(r, vocab * dim, -1, 1);
        float[] ids = new float[n];
        for (int i = 0; i < n; i++) {
            ids[i] = r.nextInt(Math.min(vocab, 7)); // repeated ids, and rows of the table no id names
        }
        float[] dOut = random(r, n * dim, -1, 1);
        double[] want = new double[n * dim];
        float[] wantDt = new float[vocab * dim];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < dim; j++) {
                want[i * dim + j] = table[(int) ids[i] * dim + j];
                wantDt[(int) ids[i] * dim + j] += dOut[i * dim + j]; // float, ascending i: the contract's order
            }
        }
        Buffer out = CPU.allocate(n * dim);
        CPU.embedding(upload(table), upload(ids), out, n, dim);
        assertClose("embedding", download(out), want, 0);
        Buffer dt = upload(random(r, vocab * dim, 5, 6)); // stale contents must be overwritten
        CPU.embeddingBackward(upload(dOut), upload(ids), dt, n, dim, vocab);
        assertThat(download(dt)).as("embeddingBackward, bit for bit").containsExactly(wantDt);
    }

    @Test
    void embeddingRejectsAnIdOutOfRange() {
        Buffer out = CPU.allocate(6);
        assertThatThrownBy(() -> CPU.embedding(upload(new float[6]), upload(new float[]{0, 3}), out, 2, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("id 3.0 at position 1");
    }

    // ---------------------------------------------------------------- GELU

    @Test
    void geluForwardAndBackwardMatchTheReference() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 50_001;
        float[] x = random(r, n, -8, 8);
        float[] dy = random(r, n, -1, 1);
        double[] want = new double[n];
        double[] wantDx = new double[n];
        double c = Math.sqrt(2 / Math.PI);
        for (int i = 0; i < n; i++) {
            double v = x[i];
            double t = Math.tanh(c * (v + 0.044715 * v * v * v));
            want[i] = 0.5 * v * (1 + t);
            wantDx[i] = dy[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * 0.044715 * v * v));
        }
        Buffer xb = upload(x);
        Buffer yb = CPU.allocate(n);
        CPU.unary(UnaryOp.GELU, xb, yb, n);
        assertClose("gelu", download(yb), want, 1e-5);
        Buffer dyb = upload(dy);
        CPU.unaryBackward(UnaryOp.GELU, xb, dyb, dyb, n); // dx may be dy
        assertClose("gelu backward", download(dyb), wantDx, 1e-5);
    }

    @Test
    void unaryBackwardOfOtherOpsUsesTheirDerivative() {
        SplittableRandom r = new SplittableRandom(6);
        float[] x = random(r, 257, 0.1, 3);
        float[] dy = random(r, 257, -1, 1);
        for (UnaryOp op : new UnaryOp[]{UnaryOp.TANH, UnaryOp.SIGMOID, UnaryOp.LOG, UnaryOp.SQRT, UnaryOp.RELU}) {
            double[] want = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double v = x[i];
                double d = switch (op) {
                    case TANH -> 1 - Math.tanh(v) * Math.tanh(v);
                    case SIGMOID -> sigmoid(v) * (1 - sigmoid(v));
                    case LOG -> 1 / v;
                    case SQRT -> 0.5 / Math.sqrt(v);
                    default -> 1;
                };
                want[i] = dy[i] * d;
            }
            Buffer dx = CPU.allocate(x.length);
            CPU.unaryBackward(op, upload(x), upload(dy), dx, x.length);
            assertClose("unaryBackward " + op, download(dx), want, 1e-5);
        }
    }

    // ---------------------------------------------------------------- LSTM and GRU cells

    @ParameterizedTest(name = "batch={0} hidden={1}")
    @CsvSource({"1,1", "3,5", "32,256"})
    void lstmCellAndItsBackward(int batch, int hidden) {
        SplittableRandom r = new SplittableRandom(batch * 100 + hidden);
        int g = 4 * hidden;
        float[] pre = random(r, batch * g, -3, 3);
        float[] cPrev = random(r, batch * hidden, -2, 2);
        float[] dh = random(r, batch * hidden, -1, 1);
        float[] dc = random(r, batch * hidden, -1, 1);
        double[] act = new double[pre.length];
        double[] c = new double[cPrev.length];
        double[] h = new double[cPrev.length];
        double[] dGates = new double[pre.length];
        double[] dcPrev = new double[cPrev.length];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hidden; j++) {
                int o = b * g + j;
                double i = sigmoid(pre[o]);
                double f = sigmoid(pre[o + hidden]);
                double gg = Math.tanh(pre[o + 2 * hidden]);
                double og = sigmoid(pre[o + 3 * hidden]);
                act[o] = i;
                act[o + hidden] = f;
                act[o + 2 * hidden] = gg;
                act[o + 3 * hidden] = og;
                int s = b * hidden + j;
                c[s] = f * cPrev[s] + i * gg;
                h[s] = og * Math.tanh(c[s]);
                double tc = Math.tanh(c[s]);
                double dct = dc[s] + dh[s] * og * (1 - tc * tc);
                dGates[o] = dct * gg * i * (1 - i);
                dGates[o + hidden] = dct * cPrev[s] * f * (1 - f);
                dGates[o + 2 * hidden] = dct * i * (1 - gg * gg);
                dGates[o + 3 * hidden] = dh[s] * tc * og * (1 - og);
                dcPrev[s] = dct * f;
            }
        }
        Buffer gates = upload(pre);
        Buffer cp = upload(cPrev);
        Buffer cb = CPU.allocate(cPrev.length);
        Buffer hb = CPU.allocate(cPrev.length);
        CPU.lstmCell(gates, cp, cb, hb, batch, hidden);
        assertClose("lstm gates", download(gates), act, 1e-5);
        assertClose("lstm c", download(cb), c, 1e-5);
        assertClose("lstm h", download(hb), h, 1e-5);
        Buffer dGb = CPU.allocate(pre.length);
        Buffer dcb = upload(dc);
        CPU.lstmCellBackward(gates, cp, cb, upload(dh), dcb, dGb, dcb, batch, hidden); // dcPrev may be dc
        assertClose("lstm dGates", download(dGb), dGates, 1e-5);
        assertClose("lstm dcPrev", download(dcb), dcPrev, 1e-5);
        // dc null counts as zero.
        Buffer dcPrev0 = CPU.allocate(cPrev.length);
        CPU.lstmCellBackward(gates, cp, cb, upload(dh), null, dGb, dcPrev0, batch, hidden);
        float[] got = download(dcPrev0);
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hidden; j++) {
                int s = b * hidden + j;
                double tc = Math.tanh(c[s]);
                double og = act[b * g + 3 * hidden + j];
                double want = dh[s] * og * (1 - tc * tc) * act[b * g + hidden + j];
                assertThat((double) got[s]).as("dcPrev without dc [%d]", s).isCloseTo(want, offset(1e-5));
            }
        }
    }

    @ParameterizedTest(name = "batch={0} hidden={1}")
    @CsvSource({"1,1", "3,5", "32,256"})
    void gruCellAndItsBackward(int batch, int hidden) {
        SplittableRandom r = new SplittableRandom(batch * 100 + hidden + 1);
        int g = 3 * hidden;
        float[] xg = random(r, batch * g, -2, 2);
        float[] hg = random(r, batch * g, -2, 2);
        float[] hPrev = random(r, batch * hidden, -1, 1);
        float[] dh = random(r, batch * hidden, -1, 1);
        double[] saved = new double[xg.length];
        double[] h = new double[hPrev.length];
        double[] dxg = new double[xg.length];
        double[] dhg = new double[xg.length];
        double[] dhPrev = new double[hPrev.length];
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < hidden; j++) {
                int o = b * g + j;
                int s = b * hidden + j;
                double rr = sigmoid(xg[o] + hg[o]);
                double z = sigmoid(xg[o + hidden] + hg[o + hidden]);
                double n = Math.tanh(xg[o + 2 * hidden] + rr * hg[o + 2 * hidden]);
                saved[o] = rr;
                saved[o + hidden] = z;
                saved[o + 2 * hidden] = n;
                h[s] = (1 - z) * n + z * hPrev[s];
                double dn = dh[s] * (1 - z) * (1 - n * n);
                double dr = dn * hg[o + 2 * hidden] * rr * (1 - rr);
                double dz = dh[s] * (hPrev[s] - n) * z * (1 - z);
                dxg[o] = dr;
                dxg[o + hidden] = dz;
                dxg[o + 2 * hidden] = dn;
                dhg[o] = dr;
                dhg[o + hidden] = dz;
                dhg[o + 2 * hidden] = dn * rr;
                dhPrev[s] = dh[s] * z;
            }
        }
        Buffer hgb = upload(hg);
        Buffer hp = upload(hPrev);
        Buffer hb = CPU.allocate(hPrev.length);
        Buffer sb = CPU.allocate(xg.length);
        CPU.gruCell(upload(xg), hgb, hp, hb, sb, batch, hidden);
        assertClose("gru h", download(hb), h, 1e-5);
        assertClose("gru saved", download(sb), saved, 1e-5);
        Buffer dxb = CPU.allocate(xg.length);
        Buffer dhb = CPU.allocate(xg.length);
        Buffer dhp = CPU.allocate(hPrev.length);
        CPU.gruCellBackward(sb, hgb, hp, upload(dh), dxb, dhb, dhp, batch, hidden);
        assertClose("gru dxg", download(dxb), dxg, 1e-5);
        assertClose("gru dhg", download(dhb), dhg, 1e-5);
        assertClose("gru dhPrev", download(dhp), dhPrev, 1e-5);
    }

    // ---------------------------------------------------------------- scalar fallbacks (no Vector API)

    /** The scalar rows the backend runs without the Vector API, against the vector ones (when present) on full rows. */
    @Test
    void scalarAndVectorRowsAgree() {
        assumeTrue(VectorSupport.available(), "the Vector API is off: the scalar rows already ran in the tests above");
        SplittableRandom r = new SplittableRandom(9);
        int hidden = 67;
        float[] pre = random(r, 4 * hidden, -4, 4);
        float[] cPrev = random(r, hidden, -2, 2);
        float[] gv = pre.clone();
        float[] gs = pre.clone();
        float[] cv = new float[hidden], hv = new float[hidden], cs = new float[hidden], hs = new float[hidden];
        VectorSequenceKernels.lstmRow(gv, cPrev, cv, hv, 0, 0, hidden);
        SequenceKernels.lstmRowScalar(gs, cPrev, cs, hs, 0, 0, hidden, 0);
        assertNear("lstm gates", gv, gs);
        assertNear("lstm c", cv, cs);
        assertNear("lstm h", hv, hs);
        float[] dh = random(r, hidden, -1, 1);
        float[] dc = random(r, hidden, -1, 1);
        float[] dgv = new float[4 * hidden], dgs = new float[4 * hidden], dcv = new float[hidden], dcs = new float[hidden];
        VectorSequenceKernels.lstmBackwardRow(gv, cPrev, cv, dh, dc, dgv, dcv, 0, 0, hidden);
        SequenceKernels.lstmBackwardRowScalar(gs, cPrev, cs, dh, dc, dgs, dcs, 0, 0, hidden, 0);
        assertNear("lstm dGates", dgv, dgs);
        assertNear("lstm dcPrev", dcv, dcs);
        float[] xg = random(r, 3 * hidden, -3, 3), hg = random(r, 3 * hidden, -3, 3), hp = random(r, hidden, -1, 1);
        float[] sv = new float[3 * hidden], ss = new float[3 * hidden], hgv = new float[hidden], hgs = new float[hidden];
        VectorSequenceKernels.gruRow(xg, hg, hp, hgv, sv, 0, 0, hidden);
        SequenceKernels.gruRowScalar(xg, hg, hp, hgs, ss, 0, 0, hidden, 0);
        assertNear("gru saved", sv, ss);
        assertNear("gru h", hgv, hgs);
        float[] scores = random(r, 100, -5, 5);
        for (int visible : new int[]{1, 17, 100}) {
            float[] yv = new float[100], ys = new float[100];
            VectorSequenceKernels.causalSoftmaxRow(scores, yv, 0, 100, visible, 0.4f);
            SequenceKernels.causalSoftmaxRowScalar(scores, ys, 0, 100, visible, 0.4f);
            assertNear("causal softmax, " + visible + " visible", yv, ys);
        }
        float[] x = random(r, 1000, -9, 9), dy = random(r, 1000, -1, 1);
        float[] yv = new float[1000], dxv = new float[1000];
        VectorSequenceKernels.gelu(x, yv, 0, 1000);
        VectorSequenceKernels.geluBackward(x, dy, dxv, 0, 1000);
        float[] ys = new float[1000], dxs = new float[1000];
        for (int i = 0; i < 1000; i++) {
            ys[i] = ElementKernels.gelu(x[i]);
            dxs[i] = dy[i] * ElementKernels.geluDerivative(x[i]);
        }
        assertNear("gelu", yv, ys);
        assertNear("gelu backward", dxv, dxs);
    }

    private static void assertNear(String what, float[] got, float[] want) {
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(got[i] - want[i]) <= 1e-6 * (1 + Math.abs(want[i])))) {
                assertThat(got[i]).as("%s[%d]", what, i).isCloseTo(want[i], offset(1e-6f * (1 + Math.abs(want[i]))));
            }
        }
    }
}
