package dev.myelin.backend.conformance;

import dev.myelin.backend.Activation;
import dev.myelin.backend.Backend;
import dev.myelin.backend.Buffer;
import dev.myelin.backend.Conv2dGeometry;
import dev.myelin.backend.DeviceRandom;
import dev.myelin.backend.Pool2dGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static dev.myelin.backend.conformance.ConformanceTest.check;
import static dev.myelin.backend.conformance.ConformanceTest.cross;
import static dev.myelin.backend.conformance.ConformanceTest.toFloat;
import static dev.myelin.backend.conformance.Harness.filled;
import static dev.myelin.backend.conformance.Harness.random;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The convolutional ops of the Backend contract (conv2d and its backward, max/avg pooling, dropout,
 * batch norm, Adadelta) on every backend that can start here, on odd shapes; the CPU backend against
 * double-precision loops written from the javadoc, the others against the CPU backend.
 */
class ConvConformanceTest {
    /** n, c, h, w, out channels, kernel, stride, padding. */
    static final List<int[]> CONV_SHAPES = List.of(
            new int[]{2, 3, 7, 9, 5, 3, 1, 0},
            new int[]{3, 2, 8, 5, 4, 3, 2, 1},
            new int[]{1, 1, 5, 5, 3, 1, 1, 0},
            new int[]{2, 4, 6, 7, 3, 5, 2, 2},
            new int[]{5, 1, 4, 4, 2, 2, 1, 1});

    static Conv2dGeometry conv(int[] s) {
        return new Conv2dGeometry(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]);
    }

    static Stream<Arguments> convCases() {
        return cross(BackendsUnderTest.ids(), CONV_SHAPES, List.of(Activation.IDENTITY, Activation.RELU), List.of(true, false));
    }

    /** Double-precision reference of conv2d, before the activation. */
    static double[] convReference(Conv2dGeometry g, float[] x, float[] w, float[] b) {
        int oh = g.outHeight(), ow = g.outWidth(), k = g.kernel();
        double[] y = new double[g.outputSize()];
        for (int n = 0; n < g.batch(); n++) {
            for (int o = 0; o < g.outChannels(); o++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double sum = b == null ? 0 : b[o];
                        for (int c = 0; c < g.inChannels(); c++) {
                            for (int p = 0; p < k; p++) {
                                for (int q = 0; q < k; q++) {
                                    int ih = i * g.stride() - g.padding() + p;
                                    int iw = j * g.stride() - g.padding() + q;
                                    if (ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width()) {
                                        sum += (double) x[((n * g.inChannels() + c) * g.height() + ih) * g.width() + iw]
                                                * w[((o * g.inChannels() + c) * k + p) * k + q];
                                    }
                                }
                            }
                        }
                        y[((n * g.outChannels() + o) * oh + i) * ow + j] = sum;
                    }
                }
            }
        }
        return y;
    }

    @ParameterizedTest(name = "{0} conv2d n,c,h,w,o,k,s,p={1} {2} bias={3}")
    @MethodSource("convCases")
    void conv2d(String backend, int[] shape, Activation act, boolean withBias) {
        Conv2dGeometry g = conv(shape);
        float[] x = random(201, g.inputSize(), -1, 1);
        float[] w = random(202, g.weightSize(), -1, 1);
        float[] b = withBias ? random(203, g.outChannels(), -1, 1) : null;
        check(backend, "conv2d", s -> {
            Buffer y = s.upload(filled(g.outputSize(), Float.NaN));
            s.backend.conv2d(g, s.upload(x), s.upload(w), b == null ? null : s.upload(b), act, y);
            return new float[][]{s.download(y)};
        }, () -> {
            double[] y = convReference(g, x, w, b);
            float[] out = new float[y.length];
            for (int i = 0; i < y.length; i++) {
                out[i] = act.forward().apply((float) y[i]);
            }
            return new float[][]{out};
        }, 1e-5, 1e-4 * Math.sqrt(g.patchSize()));
    }

    static Stream<Arguments> convBackwardCases() {
        return cross(BackendsUnderTest.ids(), CONV_SHAPES);
    }

    @ParameterizedTest(name = "{0} conv2dBackward n,c,h,w,o,k,s,p={1}")
    @MethodSource("convBackwardCases")
    void conv2dBackward(String backend, int[] shape) {
        Conv2dGeometry g = conv(shape);
        float[] x = random(211, g.inputSize(), -1, 1);
        float[] w = random(212, g.weightSize(), -1, 1);
        float[] dy = random(213, g.outputSize(), -1, 1);
        check(backend, "conv2dBackward", s -> {
            Buffer dx = s.upload(filled(g.inputSize(), Float.NaN));
            Buffer dw = s.upload(filled(g.weightSize(), Float.NaN));
            Buffer db = s.upload(filled(g.outChannels(), Float.NaN));
            s.backend.conv2dBackward(g, s.upload(x), s.upload(w), s.upload(dy), dx, dw, db);
            // Each output alone, too: a backend must not depend on the others being asked for.
            Buffer dxOnly = s.allocate(g.inputSize());
            s.backend.conv2dBackward(g, null, s.upload(w), s.upload(dy), dxOnly, null, null);
            return new float[][]{s.download(dx), s.download(dw), s.download(db), s.download(dxOnly)};
        }, () -> {
            int oh = g.outHeight(), ow = g.outWidth(), k = g.kernel();
            double[] dx = new double[g.inputSize()];
            double[] dw = new double[g.weightSize()];
            double[] db = new double[g.outChannels()];
            for (int n = 0; n < g.batch(); n++) {
                for (int o = 0; o < g.outChannels(); o++) {
                    for (int i = 0; i < oh; i++) {
                        for (int j = 0; j < ow; j++) {
                            double d = dy[((n * g.outChannels() + o) * oh + i) * ow + j];
                            db[o] += d;
                            for (int c = 0; c < g.inChannels(); c++) {
                                for (int p = 0; p < k; p++) {
                                    for (int q = 0; q < k; q++) {
                                        int ih = i * g.stride() - g.padding() + p;
                                        int iw = j * g.stride() - g.padding() + q;
                                        if (ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width()) {
                                            int xi = ((n * g.inChannels() + c) * g.height() + ih) * g.width() + iw;
                                            int wi = ((o * g.inChannels() + c) * k + p) * k + q;
                                            dx[xi] += d * w[wi];
                                            dw[wi] += d * x[xi];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return new float[][]{toFloat(dx), toFloat(dw), toFloat(db), toFloat(dx)};
        }, 1e-5, 1e-4 * Math.sqrt(g.batch() * g.outHeight() * g.outWidth() * g.outChannels()));
    }

    // ---------------------------------------------------------------- pooling

    /** n, c, h, w, kernel, stride, padding. */
    static final List<int[]> POOL_SHAPES = List.of(
            new int[]{2, 3, 7, 9, 2, 2, 0},
            new int[]{1, 2, 6, 5, 3, 2, 1},
            new int[]{3, 1, 5, 5, 3, 1, 1},
            new int[]{2, 2, 8, 8, 2, 1, 0});

    static Pool2dGeometry pool(int[] s) {
        return new Pool2dGeometry(s[0], s[1], s[2], s[3], s[4], s[5], s[6]);
    }

    static Stream<Arguments> poolCases() {
        return cross(BackendsUnderTest.ids(), POOL_SHAPES);
    }

    /** Input values distinct within every plane, so the argmax is unambiguous on every backend. */
    static float[] distinct(long seed, int n) {
        float[] x = random(seed, n, -1, 1);
        for (int i = 0; i < n; i++) {
            x[i] = x[i] + i * 1e-3f;
        }
        return x;
    }

    @ParameterizedTest(name = "{0} maxPool2d n,c,h,w,k,s,p={1}")
    @MethodSource("poolCases")
    void maxPool2d(String backend, int[] shape) {
        Pool2dGeometry g = pool(shape);
        float[] x = distinct(221, g.inputSize());
        float[] dy = random(222, g.outputSize(), -1, 1);
        check(backend, "maxPool2d", s -> {
            Buffer y = s.allocate(g.outputSize());
            Buffer idx = s.allocate(g.outputSize());
            Buffer dx = s.upload(filled(g.inputSize(), Float.NaN));
            s.backend.maxPool2d(g, s.upload(x), y, idx);
            s.backend.maxPool2dBackward(g, s.upload(dy), idx, dx);
            Buffer yOnly = s.allocate(g.outputSize());
            s.backend.maxPool2d(g, s.upload(x), yOnly, null);
            return new float[][]{s.download(y), s.download(idx), s.download(dx), s.download(yOnly)};
        }, () -> {
            int oh = g.outHeight(), ow = g.outWidth();
            float[] y = new float[g.outputSize()];
            float[] idx = new float[g.outputSize()];
            double[] dx = new double[g.inputSize()];
            int hw = g.height() * g.width();
            for (int pl = 0; pl < g.batch() * g.channels(); pl++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        float best = Float.NEGATIVE_INFINITY;
                        int at = -1;
                        for (int p = 0; p < g.kernel(); p++) {
                            for (int q = 0; q < g.kernel(); q++) {
                                int ih = i * g.stride() - g.padding() + p;
                                int iw = j * g.stride() - g.padding() + q;
                                if (ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width() && x[pl * hw + ih * g.width() + iw] > best) {
                                    best = x[pl * hw + ih * g.width() + iw];
                                    at = ih * g.width() + iw;
                                }
                            }
                        }
                        int o = pl * oh * ow + i * ow + j;
                        y[o] = best;
                        idx[o] = at;
                        dx[pl * hw + at] += dy[o];
                    }
                }
            }
            return new float[][]{y, idx, toFloat(dx), y};
        }, 1e-6, 1e-6);
    }

    @ParameterizedTest(name = "{0} avgPool2d n,c,h,w,k,s,p={1}")
    @MethodSource("poolCases")
    void avgPool2d(String backend, int[] shape) {
        Pool2dGeometry g = pool(shape);
        float[] x = random(231, g.inputSize(), -1, 1);
        float[] dy = random(232, g.outputSize(), -1, 1);
        check(backend, "avgPool2d", s -> {
            Buffer y = s.allocate(g.outputSize());
            Buffer dx = s.upload(filled(g.inputSize(), Float.NaN));
            s.backend.avgPool2d(g, s.upload(x), y);
            s.backend.avgPool2dBackward(g, s.upload(dy), dx);
            return new float[][]{s.download(y), s.download(dx)};
        }, () -> {
            int oh = g.outHeight(), ow = g.outWidth(), k = g.kernel();
            double[] y = new double[g.outputSize()];
            double[] dx = new double[g.inputSize()];
            int hw = g.height() * g.width();
            for (int pl = 0; pl < g.batch() * g.channels(); pl++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        int o = pl * oh * ow + i * ow + j;
                        for (int p = 0; p < k; p++) {
                            for (int q = 0; q < k; q++) {
                                int ih = i * g.stride() - g.padding() + p;
                                int iw = j * g.stride() - g.padding() + q;
                                if (ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width()) {
                                    y[o] += x[pl * hw + ih * g.width() + iw] / (double) (k * k);
                                    dx[pl * hw + ih * g.width() + iw] += dy[o] / (double) (k * k);
                                }
                            }
                        }
                    }
                }
            }
            return new float[][]{toFloat(y), toFloat(dx)};
        }, 1e-5, 1e-6);
    }

    // ---------------------------------------------------------------- dropout

    static Stream<Arguments> dropoutCases() {
        return cross(BackendsUnderTest.ids(), List.of(0.25f, 0.5f, 0.9f), List.of(false, true));
    }

    @ParameterizedTest(name = "{0} dropout p={1} inPlace={2}")
    @MethodSource("dropoutCases")
    void dropout(String backend, float p, boolean inPlace) {
        int n = 4099;
        long seed = 0x1234_5678_9ABC_DEF0L;
        float scale = 1f / (1f - p);
        float[] x = random(241, n, -1, 1);
        // Exact: every backend must draw the same mask, bit for bit.
        check(backend, "dropout", s -> {
            Buffer xb = s.upload(x);
            Buffer y = inPlace ? xb : s.allocate(n);
            Buffer mask = s.allocate(n);
            s.backend.dropout(xb, y, mask, n, p, scale, seed);
            return new float[][]{s.download(y), s.download(mask)};
        }, () -> {
            float[] y = new float[n];
            float[] mask = new float[n];
            for (int i = 0; i < n; i++) {
                mask[i] = DeviceRandom.uniform(seed, i) >= p ? scale : 0f;
                y[i] = x[i] * mask[i];
            }
            return new float[][]{y, mask};
        }, 0, 0);
    }

    @Test
    void dropoutMaskIsUnbiasedAndSeedDependent() {
        int n = 100_000;
        int kept = 0;
        int same = 0;
        for (int i = 0; i < n; i++) {
            boolean a = DeviceRandom.uniform(7, i) >= 0.3f;
            boolean b = DeviceRandom.uniform(8, i) >= 0.3f;
            kept += a ? 1 : 0;
            same += a == b ? 1 : 0;
        }
        assertThat(kept / (double) n).isCloseTo(0.7, org.assertj.core.data.Offset.offset(0.01));
        // Independent masks agree on 0.7^2 + 0.3^2 = 58 % of elements.
        assertThat(same / (double) n).isCloseTo(0.58, org.assertj.core.data.Offset.offset(0.01));
    }

    // ---------------------------------------------------------------- batch norm

    /** batch, channels, spatial. */
    static Stream<Arguments> batchNormCases() {
        return cross(BackendsUnderTest.ids(), List.of(new int[]{7, 5, 1}, new int[]{3, 4, 13}, new int[]{2, 3, 300}),
                List.of(true, false));
    }

    @ParameterizedTest(name = "{0} batchNorm batch,channels,spatial={1} training={2}")
    @MethodSource("batchNormCases")
    void batchNorm(String backend, int[] shape, boolean training) {
        int batch = shape[0], channels = shape[1], spatial = shape[2];
        int total = batch * channels * spatial;
        int m = batch * spatial;
        float momentum = 0.1f, eps = 1e-5f;
        float[] x = random(251, total, -2, 3);
        float[] gamma = random(252, channels, 0.5f, 1.5f);
        float[] beta = random(253, channels, -1, 1);
        float[] rm0 = random(254, channels, -0.5f, 0.5f);
        float[] rv0 = random(255, channels, 0.5f, 2f);
        float[] dy = random(256, total, -1, 1);
        check(backend, "batchNorm", s -> {
            Buffer y = s.allocate(total);
            Buffer rm = s.upload(rm0);
            Buffer rv = s.upload(rv0);
            Buffer xb = s.upload(x);
            Buffer gb = s.upload(gamma);
            if (!training) {
                s.backend.batchNorm(xb, gb, s.upload(beta), y, null, null, rm, rv, batch, channels, spatial, false, momentum, eps);
                return new float[][]{s.download(y)};
            }
            Buffer mean = s.allocate(channels);
            Buffer invStd = s.allocate(channels);
            s.backend.batchNorm(xb, gb, s.upload(beta), y, mean, invStd, rm, rv, batch, channels, spatial, true, momentum, eps);
            Buffer dx = s.allocate(total);
            Buffer dg = s.allocate(channels);
            Buffer db = s.allocate(channels);
            s.backend.batchNormBackward(xb, s.upload(dy), gb, mean, invStd, dx, dg, db, batch, channels, spatial);
            return new float[][]{s.download(y), s.download(mean), s.download(invStd), s.download(rm), s.download(rv),
                    s.download(dx), s.download(dg), s.download(db)};
        }, () -> {
            double[] y = new double[total];
            double[] mean = new double[channels];
            double[] invStd = new double[channels];
            double[] rm = new double[channels];
            double[] rv = new double[channels];
            double[] dx = new double[total];
            double[] dg = new double[channels];
            double[] db = new double[channels];
            for (int c = 0; c < channels; c++) {
                double mu;
                double is;
                if (training) {
                    double sum = 0;
                    for (int n = 0; n < batch; n++) {
                        for (int i = 0; i < spatial; i++) {
                            sum += x[(n * channels + c) * spatial + i];
                        }
                    }
                    mu = sum / m;
                    double sq = 0;
                    for (int n = 0; n < batch; n++) {
                        for (int i = 0; i < spatial; i++) {
                            double d = x[(n * channels + c) * spatial + i] - mu;
                            sq += d * d;
                        }
                    }
                    is = 1 / Math.sqrt(sq / m + eps);
                    mean[c] = mu;
                    invStd[c] = is;
                    rm[c] = (1 - momentum) * rm0[c] + momentum * mu;
                    rv[c] = (1 - momentum) * rv0[c] + momentum * sq / (m - 1);
                } else {
                    mu = rm0[c];
                    is = 1 / Math.sqrt(rv0[c] + eps);
                }
                for (int n = 0; n < batch; n++) {
                    for (int i = 0; i < spatial; i++) {
                        int at = (n * channels + c) * spatial + i;
                        double xhat = (x[at] - mu) * is;
                        y[at] = xhat * gamma[c] + beta[c];
                        db[c] += dy[at];
                        dg[c] += dy[at] * xhat;
                    }
                }
                for (int n = 0; n < batch; n++) {
                    for (int i = 0; i < spatial; i++) {
                        int at = (n * channels + c) * spatial + i;
                        double xhat = (x[at] - mu) * is;
                        dx[at] = gamma[c] * is / m * (m * dy[at] - db[c] - xhat * dg[c]);
                    }
                }
            }
            if (!training) {
                return new float[][]{toFloat(y)};
            }
            return new float[][]{toFloat(y), toFloat(mean), toFloat(invStd), toFloat(rm), toFloat(rv),
                    toFloat(dx), toFloat(dg), toFloat(db)};
        }, 1e-4, 1e-4);
    }

    // ---------------------------------------------------------------- adadelta

    static Stream<Arguments> adadeltaCases() {
        return cross(BackendsUnderTest.ids(), List.of(0f, 0.01f));
    }

    @ParameterizedTest(name = "{0} adadeltaUpdate weightDecay={1}")
    @MethodSource("adadeltaCases")
    void adadeltaUpdate(String backend, float wd) {
        int n = 1031;
        int steps = 3;
        float lr = 1f, rho = 0.9f, eps = 1e-6f;
        float[] p0 = random(261, n, -1, 1);
        float[][] grads = {random(262, n, -1, 1), random(263, n, -1, 1), random(264, n, -1, 1)};
        check(backend, "adadeltaUpdate", s -> {
            Buffer p = s.upload(p0);
            Buffer sq = s.upload(new float[n]);
            Buffer acc = s.upload(new float[n]);
            for (int t = 0; t < steps; t++) {
                s.backend.adadeltaUpdate(p, s.upload(grads[t]), sq, acc, n, lr, rho, eps, wd);
            }
            return new float[][]{s.download(p), s.download(sq), s.download(acc)};
        }, () -> {
            double[] p = new double[n];
            double[] sq = new double[n];
            double[] acc = new double[n];
            for (int i = 0; i < n; i++) {
                p[i] = p0[i];
            }
            for (int t = 0; t < steps; t++) {
                for (int i = 0; i < n; i++) {
                    double g = grads[t][i] + wd * p[i];
                    sq[i] = rho * sq[i] + (1 - rho) * g * g;
                    double delta = Math.sqrt(acc[i] + eps) / Math.sqrt(sq[i] + eps) * g;
                    acc[i] = rho * acc[i] + (1 - rho) * delta * delta;
                    p[i] -= lr * delta;
                }
            }
            return new float[][]{toFloat(p), toFloat(sq), toFloat(acc)};
        }, 1e-4, 1e-6);
    }

    static Backend cpu() {
        return BackendsUnderTest.reference();
    }
}
