package dev.myelin.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The convolution loops that C2 leaves scalar. The bias + ReLU epilogue ({@code Math.max} keeps it
 * scalar) took a seventh of a CNN training step; a first layer with a tiny patch (1 channel, 3x3:
 * K = 9) is a poor GEMM, whose register tiles are reloaded and stored every 9 multiply-adds, so it
 * is done directly here, column vectors of the unfolded input held in L1.
 *
 * <p>Loaded only when {@link VectorSupport#available()}, like {@link VectorSgemm}.
 */
final class VectorConvKernels {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int VLEN = SPECIES.length();

    private VectorConvKernels() {
    }

    /** dst[d + i] = src[s + i] + b, then max(., 0) when relu, for i in [0, len); Math.max's floats, NaN included. */
    static void biasActivation(float[] src, int s, float[] dst, int d, int len, float b, boolean relu) {
        int upper = SPECIES.loopBound(len);
        int i = 0;
        if (relu) {
            for (; i < upper; i += VLEN) {
                FloatVector.fromArray(SPECIES, src, s + i).add(b).max(0f).intoArray(dst, d + i);
            }
            for (; i < len; i++) {
                dst[d + i] = Math.max(src[s + i] + b, 0f);
            }
        } else {
            for (; i < upper; i += VLEN) {
                FloatVector.fromArray(SPECIES, src, s + i).add(b).intoArray(dst, d + i);
            }
            for (; i < len; i++) {
                dst[d + i] = src[s + i] + b;
            }
        }
    }

    /**
     * y[yOff + o * plane + p] = sum_t w[o * kk + t] * col[t * plane + p] for a small patch size kk:
     * the pre-activation, accumulated in t order with fused multiply-adds, as the GEMM does.
     */
    static void smallPatchProduct(int oc, int kk, int plane, float[] w, float[] col, float[] y, int yOff) {
        int upper = SPECIES.loopBound(plane);
        for (int o = 0; o < oc; o++) {
            int wo = o * kk;
            int yo = yOff + o * plane;
            int p = 0;
            for (; p + 2 * VLEN <= upper; p += 2 * VLEN) {
                FloatVector acc0 = FloatVector.zero(SPECIES);
                FloatVector acc1 = FloatVector.zero(SPECIES);
                for (int t = 0, c = p; t < kk; t++, c += plane) {
                    FloatVector wt = FloatVector.broadcast(SPECIES, w[wo + t]);
                    acc0 = FloatVector.fromArray(SPECIES, col, c).fma(wt, acc0);
                    acc1 = FloatVector.fromArray(SPECIES, col, c + VLEN).fma(wt, acc1);
                }
                acc0.intoArray(y, yo + p);
                acc1.intoArray(y, yo + p + VLEN);
            }
            for (; p < upper; p += VLEN) {
                FloatVector acc = FloatVector.zero(SPECIES);
                for (int t = 0, c = p; t < kk; t++, c += plane) {
                    acc = FloatVector.fromArray(SPECIES, col, c).fma(FloatVector.broadcast(SPECIES, w[wo + t]), acc);
                }
                acc.intoArray(y, yo + p);
            }
            for (; p < plane; p++) {
                float acc = 0f;
                for (int t = 0, c = p; t < kk; t++, c += plane) {
                    acc = Math.fma(w[wo + t], col[c], acc);
                }
                y[yo + p] = acc;
            }
        }
    }

    /** dw[o * kk + t] += sum_p dy[dyOff + o * plane + p] * col[t * plane + p] for a small patch size kk. */
    static void smallPatchWeightGradient(int oc, int kk, int plane, float[] dy, int dyOff, float[] col, float[] dw) {
        for (int o = 0; o < oc; o++) {
            for (int t = 0; t < kk; t++) {
                dw[o * kk + t] += dot(dy, dyOff + o * plane, col, t * plane, plane);
            }
        }
    }

    /** sum_i a[ao + i] * b[bo + i], in a fixed (vector lanes, then tail) order. */
    static float dot(float[] a, int ao, float[] b, int bo, int len) {
        int upper = SPECIES.loopBound(len);
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i < upper; i += VLEN) {
            acc = FloatVector.fromArray(SPECIES, a, ao + i).fma(FloatVector.fromArray(SPECIES, b, bo + i), acc);
        }
        float sum = VectorTyping.exact(acc).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            sum = Math.fma(a[ao + i], b[bo + i], sum);
        }
        return sum;
    }

    /** sum_i a[ao + i], in a fixed (vector lanes, then tail) order. */
    static float sum(float[] a, int ao, int len) {
        int upper = SPECIES.loopBound(len);
        FloatVector acc = FloatVector.zero(SPECIES);
        int i = 0;
        for (; i < upper; i += VLEN) {
            acc = acc.add(FloatVector.fromArray(SPECIES, a, ao + i));
        }
        float sum = VectorTyping.exact(acc).reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) {
            sum += a[ao + i];
        }
        return sum;
    }

    /** dst[d + i] += src[s + i] for i in [0, len): col2im's row of a patch tap added into its input row. */
    static void addInto(float[] src, int s, float[] dst, int d, int len) {
        int upper = SPECIES.loopBound(len);
        int i = 0;
        for (; i < upper; i += VLEN) {
            FloatVector.fromArray(SPECIES, dst, d + i).add(FloatVector.fromArray(SPECIES, src, s + i))
                    .intoArray(dst, d + i);
        }
        for (; i < len; i++) {
            dst[d + i] += src[s + i];
        }
    }

    /**
     * 2x2, stride 2, unpadded max-pooling of planes [from, to): the scalar loop's compare-and-replace
     * sequence (top-left, top-right, bottom-left, bottom-right; replace only when strictly greater,
     * so the same value, index and NaN handling) as lane masks instead of branches that mispredict on
     * every other window. A plane's outputs are taken a vector at a time across its rows (12-wide
     * rows are shorter than a vector), each window's corners gathered through a table of top-left
     * offsets.
     */
    static void maxPool2x2(float[] x, float[] y, float[] indices, int from, int to, int h, int w, int oh, int ow) {
        int outPlane = oh * ow;
        int upper = SPECIES.loopBound(outPlane);
        int[] corner = new int[Math.max(upper, 1)];
        float[] cornerIndex = new float[Math.max(upper, 1)];
        for (int m = 0; m < upper; m++) {
            corner[m] = 2 * (m / ow) * w + 2 * (m % ow);
            cornerIndex[m] = corner[m];
        }
        for (int pl = from; pl < to; pl++) {
            int xb = pl * h * w;
            int yb = pl * outPlane;
            for (int m = 0; m < upper; m += VLEN) {
                FloatVector best = FloatVector.fromArray(SPECIES, x, xb, corner, m);
                FloatVector base = FloatVector.fromArray(SPECIES, cornerIndex, m);
                FloatVector at = base;
                FloatVector v = FloatVector.fromArray(SPECIES, x, xb + 1, corner, m);
                VectorMask<Float> greater = v.compare(VectorOperators.GT, best);
                best = best.blend(v, greater);
                at = at.blend(base.add(1f), greater);
                v = FloatVector.fromArray(SPECIES, x, xb + w, corner, m);
                greater = v.compare(VectorOperators.GT, best);
                best = best.blend(v, greater);
                at = at.blend(base.add(w), greater);
                v = FloatVector.fromArray(SPECIES, x, xb + w + 1, corner, m);
                greater = v.compare(VectorOperators.GT, best);
                best = best.blend(v, greater);
                at = at.blend(base.add(w + 1), greater);
                best.intoArray(y, yb + m);
                if (indices != null) {
                    at.intoArray(indices, yb + m);
                }
            }
            for (int m = upper; m < outPlane; m++) {
                int i = m / ow;
                int c = 2 * (m % ow);
                int r0 = xb + 2 * i * w;
                int r1 = r0 + w;
                float best = x[r0 + c];
                int at = 0;
                if (x[r0 + c + 1] > best) {
                    best = x[r0 + c + 1];
                    at = 1;
                }
                if (x[r1 + c] > best) {
                    best = x[r1 + c];
                    at = w;
                }
                if (x[r1 + c + 1] > best) {
                    best = x[r1 + c + 1];
                    at = w + 1;
                }
                y[yb + m] = best;
                if (indices != null) {
                    indices[yb + m] = 2 * i * w + c + at;
                }
            }
        }
    }
}
