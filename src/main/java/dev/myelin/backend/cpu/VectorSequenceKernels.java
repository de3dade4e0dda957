package dev.myelin.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The transcendental-heavy sequence kernels (GELU, the LSTM/GRU cells, causal softmax) on the Vector
 * API. Their cost is exp: Math.exp is a scalar call of 10-20 ns here, the Vector API's EXP (an SVML
 * intrinsic on x86) about 0.5 ns per element once C2 has compiled it. The formulas are the scalar
 * ones of {@link SequenceKernels} and {@link ElementKernels}, which also finish each row's tail.
 *
 * <p>Loaded only when {@link VectorSupport#available()}: touching this class without
 * {@code --add-modules jdk.incubator.vector} throws NoClassDefFoundError.
 */
final class VectorSequenceKernels {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int VLEN = SPECIES.length();
    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2.0 / Math.PI);
    private static final float GELU_CUBIC = 0.044715f;

    private VectorSequenceKernels() {
    }

    private static FloatVector exp(FloatVector v) {
        return v.lanewise(VectorOperators.EXP);
    }

    /** 1 / (1 + exp(-v)). */
    private static FloatVector sigmoid(FloatVector v) {
        return FloatVector.broadcast(SPECIES, 1f).div(exp(v.neg()).add(1f));
    }

    /** 1 - 2 / (exp(2v) + 1): saturates to -1 and 1 without NaN. */
    private static FloatVector tanh(FloatVector v) {
        return FloatVector.broadcast(SPECIES, 1f).sub(FloatVector.broadcast(SPECIES, 2f).div(exp(v.add(v)).add(1f)));
    }

    static void gelu(float[] x, float[] y, int from, int to) {
        int i = from;
        int bound = from + SPECIES.loopBound(to - from);
        for (; i < bound; i += VLEN) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            FloatVector u = v.mul(v).mul(v).mul(GELU_CUBIC).add(v).mul(SQRT_2_OVER_PI);
            tanh(u).add(1f).mul(v).mul(0.5f).intoArray(y, i);
        }
        for (; i < to; i++) {
            y[i] = ElementKernels.gelu(x[i]);
        }
    }

    static void geluBackward(float[] x, float[] dy, float[] dx, int from, int to) {
        int i = from;
        int bound = from + SPECIES.loopBound(to - from);
        for (; i < bound; i += VLEN) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            FloatVector v2 = v.mul(v);
            FloatVector u = v2.mul(v).mul(GELU_CUBIC).add(v).mul(SQRT_2_OVER_PI);
            FloatVector t = tanh(u);
            FloatVector du = v2.mul(3f * GELU_CUBIC).add(1f).mul(SQRT_2_OVER_PI);
            FloatVector oneMinusT2 = t.mul(t).neg().add(1f);
            FloatVector d = t.add(1f).mul(0.5f).add(v.mul(0.5f).mul(oneMinusT2).mul(du));
            d.mul(FloatVector.fromArray(SPECIES, dy, i)).intoArray(dx, i);
        }
        for (; i < to; i++) {
            dx[i] = dy[i] * ElementKernels.geluDerivative(x[i]);
        }
    }

    /** One batch row of {@link SequenceKernels#lstmCell}: gates at g, states at s. */
    static void lstmRow(float[] gates, float[] cPrev, float[] c, float[] h, int g, int s, int hidden) {
        int j = 0;
        int bound = SPECIES.loopBound(hidden);
        for (; j < bound; j += VLEN) {
            FloatVector i = sigmoid(FloatVector.fromArray(SPECIES, gates, g + j));
            FloatVector f = sigmoid(FloatVector.fromArray(SPECIES, gates, g + hidden + j));
            FloatVector gg = tanh(FloatVector.fromArray(SPECIES, gates, g + 2 * hidden + j));
            FloatVector o = sigmoid(FloatVector.fromArray(SPECIES, gates, g + 3 * hidden + j));
            i.intoArray(gates, g + j);
            f.intoArray(gates, g + hidden + j);
            gg.intoArray(gates, g + 2 * hidden + j);
            o.intoArray(gates, g + 3 * hidden + j);
            FloatVector cv = f.mul(FloatVector.fromArray(SPECIES, cPrev, s + j)).add(i.mul(gg));
            cv.intoArray(c, s + j);
            o.mul(tanh(cv)).intoArray(h, s + j);
        }
        SequenceKernels.lstmRowScalar(gates, cPrev, c, h, g, s, hidden, j);
    }

    /** One batch row of {@link SequenceKernels#lstmCellBackward}. */
    static void lstmBackwardRow(float[] gates, float[] cPrev, float[] c, float[] dh, float[] dc,
                                float[] dGates, float[] dcPrev, int g, int s, int hidden) {
        int j = 0;
        int bound = SPECIES.loopBound(hidden);
        for (; j < bound; j += VLEN) {
            FloatVector i = FloatVector.fromArray(SPECIES, gates, g + j);
            FloatVector f = FloatVector.fromArray(SPECIES, gates, g + hidden + j);
            FloatVector gg = FloatVector.fromArray(SPECIES, gates, g + 2 * hidden + j);
            FloatVector o = FloatVector.fromArray(SPECIES, gates, g + 3 * hidden + j);
            FloatVector tc = tanh(FloatVector.fromArray(SPECIES, c, s + j));
            FloatVector dhv = FloatVector.fromArray(SPECIES, dh, s + j);
            FloatVector dct = dhv.mul(o).mul(tc.mul(tc).neg().add(1f));
            if (dc != null) {
                dct = dct.add(FloatVector.fromArray(SPECIES, dc, s + j));
            }
            dct.mul(gg).mul(i).mul(i.neg().add(1f)).intoArray(dGates, g + j);
            dct.mul(FloatVector.fromArray(SPECIES, cPrev, s + j)).mul(f).mul(f.neg().add(1f)).intoArray(dGates, g + hidden + j);
            dct.mul(i).mul(gg.mul(gg).neg().add(1f)).intoArray(dGates, g + 2 * hidden + j);
            dhv.mul(tc).mul(o).mul(o.neg().add(1f)).intoArray(dGates, g + 3 * hidden + j);
            dct.mul(f).intoArray(dcPrev, s + j);
        }
        SequenceKernels.lstmBackwardRowScalar(gates, cPrev, c, dh, dc, dGates, dcPrev, g, s, hidden, j);
    }

    /** One batch row of {@link SequenceKernels#gruCell}. */
    static void gruRow(float[] xg, float[] hg, float[] hPrev, float[] h, float[] saved, int g, int s, int hidden) {
        int j = 0;
        int bound = SPECIES.loopBound(hidden);
        for (; j < bound; j += VLEN) {
            FloatVector r = sigmoid(FloatVector.fromArray(SPECIES, xg, g + j).add(FloatVector.fromArray(SPECIES, hg, g + j)));
            FloatVector z = sigmoid(FloatVector.fromArray(SPECIES, xg, g + hidden + j)
                    .add(FloatVector.fromArray(SPECIES, hg, g + hidden + j)));
            FloatVector n = tanh(FloatVector.fromArray(SPECIES, xg, g + 2 * hidden + j)
                    .add(r.mul(FloatVector.fromArray(SPECIES, hg, g + 2 * hidden + j))));
            r.intoArray(saved, g + j);
            z.intoArray(saved, g + hidden + j);
            n.intoArray(saved, g + 2 * hidden + j);
            FloatVector hp = FloatVector.fromArray(SPECIES, hPrev, s + j);
            // (1 - z) n + z hPrev = n + z (hPrev - n)
            n.add(z.mul(hp.sub(n))).intoArray(h, s + j);
        }
        SequenceKernels.gruRowScalar(xg, hg, hPrev, h, saved, g, s, hidden, j);
    }

    /** One row of {@link SequenceKernels#causalSoftmax}: the first {@code visible} columns, the rest zeroed. */
    static void causalSoftmaxRow(float[] x, float[] y, int base, int cols, int visible, float scale) {
        // Whole vectors up to the last visible column; the last one, partly visible, is masked (its hidden
        // lanes read as -inf, so exp gives 0) rather than finished scalar: a scalar Math.exp costs 10-20 ns,
        // and with rows of 1..128 visible columns the tails were most of the op's time.
        int full = SPECIES.loopBound(visible);
        boolean masked = full < visible && full + VLEN <= cols;
        int end = masked ? full + VLEN : full;
        // Made unconditionally: a mask that may be null is not of an exact class, and C2 then leaves
        // blend un-intrinsified (boxed, ~100x slower).
        VectorMask<Float> inRow = SPECIES.indexInRange(full, visible);
        FloatVector hidden = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        FloatVector vmax = hidden;
        int j = 0;
        for (; j < full; j += VLEN) {
            vmax = vmax.max(FloatVector.fromArray(SPECIES, x, base + j).mul(scale));
        }
        // The loop-carried vectors go through VectorTyping.exact before any further use (see there).
        vmax = VectorTyping.exact(vmax);
        if (masked) {
            vmax = vmax.max(hidden.blend(FloatVector.fromArray(SPECIES, x, base + full).mul(scale), inRow));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (j = end; j < visible; j++) {
            max = Math.max(max, scale * x[base + j]);
        }
        FloatVector vsum = FloatVector.zero(SPECIES);
        for (j = 0; j < full; j += VLEN) {
            FloatVector e = exp(FloatVector.fromArray(SPECIES, x, base + j).mul(scale).sub(max));
            e.intoArray(y, base + j);
            vsum = vsum.add(e);
        }
        vsum = VectorTyping.exact(vsum);
        if (masked) {
            FloatVector e = exp(hidden.blend(FloatVector.fromArray(SPECIES, x, base + full).mul(scale), inRow).sub(max));
            e.intoArray(y, base + full);
            vsum = vsum.add(e);
        }
        float sum = vsum.reduceLanes(VectorOperators.ADD);
        for (j = end; j < visible; j++) {
            float e = (float) Math.exp(scale * x[base + j] - max);
            y[base + j] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (j = 0; j < end; j += VLEN) {
            FloatVector.fromArray(SPECIES, y, base + j).mul(inv).intoArray(y, base + j);
        }
        for (j = end; j < visible; j++) {
            y[base + j] *= inv;
        }
        j = Math.max(end, visible);
        FloatVector zero = FloatVector.zero(SPECIES);
        for (; j + VLEN <= cols; j += VLEN) {
            zero.intoArray(y, base + j);
        }
        for (; j < cols; j++) {
            y[base + j] = 0f;
        }
    }

    // ---------------------------------------------------------------- row reductions (softmax backward, layer norm)

    /** sum of a[aOff + j] * b[bOff + j] for j < n. */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int j = 0;
        int bound = SPECIES.loopBound(n);
        for (; j < bound; j += VLEN) {
            acc = FloatVector.fromArray(SPECIES, a, aOff + j).fma(FloatVector.fromArray(SPECIES, b, bOff + j), acc);
        }
        float sum = VectorTyping.exact(acc).reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) {
            sum += a[aOff + j] * b[bOff + j];
        }
        return sum;
    }

    static float sum(float[] a, int off, int n) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int j = 0;
        int bound = SPECIES.loopBound(n);
        for (; j < bound; j += VLEN) {
            acc = acc.add(FloatVector.fromArray(SPECIES, a, off + j));
        }
        float sum = VectorTyping.exact(acc).reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) {
            sum += a[off + j];
        }
        return sum;
    }

    /** sum of (a[off + j] - mean)^2 for j < n. */
    static float squaredDeviations(float[] a, int off, int n, float mean) {
        FloatVector acc = FloatVector.zero(SPECIES);
        int j = 0;
        int bound = SPECIES.loopBound(n);
        for (; j < bound; j += VLEN) {
            FloatVector d = FloatVector.fromArray(SPECIES, a, off + j).sub(mean);
            acc = d.fma(d, acc);
        }
        float sum = VectorTyping.exact(acc).reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) {
            float d = a[off + j] - mean;
            sum += d * d;
        }
        return sum;
    }

    /** y = (x - mean) * invStd * gamma + beta over one row. */
    static void normalizeRow(float[] x, float[] gamma, float[] beta, float[] y, int base, int cols, float mean, float invStd) {
        int j = 0;
        int bound = SPECIES.loopBound(cols);
        for (; j < bound; j += VLEN) {
            FloatVector xhat = FloatVector.fromArray(SPECIES, x, base + j).sub(mean).mul(invStd);
            xhat.fma(FloatVector.fromArray(SPECIES, gamma, j), FloatVector.fromArray(SPECIES, beta, j)).intoArray(y, base + j);
        }
        for (; j < cols; j++) {
            y[base + j] = (x[base + j] - mean) * invStd * gamma[j] + beta[j];
        }
    }

    /** dx[base + j] = scale * y * (dy - dot) over one row. */
    static void softmaxBackwardRow(float[] y, float[] dy, float[] dx, int base, int cols, float scale) {
        float dot = dot(dy, base, y, base, cols);
        int j = 0;
        int bound = SPECIES.loopBound(cols);
        for (; j < bound; j += VLEN) {
            FloatVector yv = FloatVector.fromArray(SPECIES, y, base + j);
            FloatVector.fromArray(SPECIES, dy, base + j).sub(dot).mul(yv).mul(scale).intoArray(dx, base + j);
        }
        for (; j < cols; j++) {
            dx[base + j] = scale * y[base + j] * (dy[base + j] - dot);
        }
    }

    /** One row's share of the layer-norm parameter gradients: g[j] += dy * xhat, bt[j] += dy, into partials. */
    static void normParamGradRow(float[] x, float[] dy, int base, int cols, float mu, float is,
                                 float[] partials, int g, int bt) {
        int j = 0;
        int bound = SPECIES.loopBound(cols);
        for (; j < bound; j += VLEN) {
            FloatVector d = FloatVector.fromArray(SPECIES, dy, base + j);
            FloatVector xhat = FloatVector.fromArray(SPECIES, x, base + j).sub(mu).mul(is);
            d.fma(xhat, FloatVector.fromArray(SPECIES, partials, g + j)).intoArray(partials, g + j);
            d.add(FloatVector.fromArray(SPECIES, partials, bt + j)).intoArray(partials, bt + j);
        }
        for (; j < cols; j++) {
            float d = dy[base + j];
            partials[g + j] += d * ((x[base + j] - mu) * is);
            partials[bt + j] += d;
        }
    }

    /** One row of the layer-norm input gradient (see {@link SequenceKernels#layerNormBackward}). */
    static void layerNormBackwardRow(float[] x, float[] dy, float[] gamma, float[] dx, int base, int cols, float mu, float is) {
        FloatVector sumG = FloatVector.zero(SPECIES);
        FloatVector sumGx = FloatVector.zero(SPECIES);
        int j = 0;
        int bound = SPECIES.loopBound(cols);
        for (; j < bound; j += VLEN) {
            FloatVector g = FloatVector.fromArray(SPECIES, dy, base + j).mul(FloatVector.fromArray(SPECIES, gamma, j));
            FloatVector xhat = FloatVector.fromArray(SPECIES, x, base + j).sub(mu).mul(is);
            sumG = sumG.add(g);
            sumGx = g.fma(xhat, sumGx);
        }
        float sg = VectorTyping.exact(sumG).reduceLanes(VectorOperators.ADD);
        float sgx = VectorTyping.exact(sumGx).reduceLanes(VectorOperators.ADD);
        for (int k = j; k < cols; k++) {
            float g = dy[base + k] * gamma[k];
            sg += g;
            sgx += g * (x[base + k] - mu) * is;
        }
        float factor = is / cols;
        j = 0;
        for (; j < bound; j += VLEN) {
            FloatVector g = FloatVector.fromArray(SPECIES, dy, base + j).mul(FloatVector.fromArray(SPECIES, gamma, j));
            FloatVector xhat = FloatVector.fromArray(SPECIES, x, base + j).sub(mu).mul(is);
            g.mul((float) cols).sub(sg).sub(xhat.mul(sgx)).mul(factor).intoArray(dx, base + j);
        }
        for (; j < cols; j++) {
            float xhat = (x[base + j] - mu) * is;
            dx[base + j] = factor * (cols * dy[base + j] * gamma[j] - sg - xhat * sgx);
        }
    }
}
