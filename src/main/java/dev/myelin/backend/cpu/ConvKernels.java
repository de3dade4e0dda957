package dev.myelin.backend.cpu;

import dev.myelin.backend.Activation;
import dev.myelin.backend.Conv2dGeometry;
import dev.myelin.backend.Pool2dGeometry;

import java.util.Arrays;

/**
 * Convolution and pooling on the CPU. A convolution is im2col + GEMM per sample: the samples are
 * split over the worker pool in contiguous chunks, each worker unfolds one sample into its own pooled
 * column buffer ([inChannels * k * k, outH * outW], rows copied with System.arraycopy at stride 1),
 * and multiplies through {@link CpuGemm} (the Vector API GEMM, which packs either operand, so the
 * transposed products cost no more; it runs on the worker's own thread, nested calls being serial):
 * y_n = W col, then bias + activation over the contiguous output. The backward reuses the same
 * buffers: dW += dy_n col^T per chunk (chunks summed in order, so deterministic), dcol = W^T dy_n,
 * then col2im for dx (for unit stride without padding, through input-wide rows: {@link WideRows}).
 * With the Vector API, a small patch (a first layer's 1 x 3 x 3) skips the GEMM for a direct product
 * ({@link VectorConvKernels}), and the bias + ReLU epilogue is vectorised.
 */
final class ConvKernels {
    private ConvKernels() {
    }

    /** Per-thread scratch arrays, grown on demand and kept for the thread's life (no allocation per step). */
    private static final class Workspace {
        float[] col = new float[0];
        float[] tmp = new float[0];
        float[] wideDy = new float[0];

        float[] col(int n) {
            if (col.length < n) {
                col = new float[n];
            }
            return col;
        }

        float[] tmp(int n) {
            if (tmp.length < n) {
                tmp = new float[n];
            }
            return tmp;
        }

        float[] wideDy(int n) {
            if (wideDy.length < n) {
                wideDy = new float[n];
            }
            return wideDy;
        }
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    /** Chunks of the batch: one per worker, as Parallel would cut them, but with a known index. */
    private static int chunks(int batch, long workPerSample) {
        if (batch < 2 || (long) batch * workPerSample < 32_768) {
            return 1;
        }
        return Math.min(Parallel.threads(), batch);
    }


    /** Unfolds sample x[offset..] ([C, H, W]) into col [C * k * k, oh * ow]. */
    static void im2col(Conv2dGeometry g, float[] x, int offset, float[] col) {
        int h = g.height(), w = g.width(), k = g.kernel(), s = g.stride(), pad = g.padding();
        int oh = g.outHeight(), ow = g.outWidth();
        int plane = oh * ow;
        int row = 0;
        for (int c = 0; c < g.inChannels(); c++) {
            int xc = offset + c * h * w;
            for (int p = 0; p < k; p++) {
                for (int q = 0; q < k; q++, row++) {
                    int base = row * plane;
                    // The output columns j whose input column j * s - pad + q lies in [0, w).
                    int jLo = Math.max(0, ceilDiv(pad - q, s));
                    int jHi = Math.min(ow, ceilDiv(w + pad - q, s));
                    for (int i = 0; i < oh; i++) {
                        int ih = i * s - pad + p;
                        int o = base + i * ow;
                        if (ih < 0 || ih >= h || jLo >= jHi) {
                            Arrays.fill(col, o, o + ow, 0f);
                            continue;
                        }
                        if (jLo > 0) {
                            Arrays.fill(col, o, o + jLo, 0f);
                        }
                        int xrow = xc + ih * w - pad + q;
                        if (s == 1) {
                            System.arraycopy(x, xrow + jLo, col, o + jLo, jHi - jLo);
                        } else {
                            for (int j = jLo; j < jHi; j++) {
                                col[o + j] = x[xrow + j * s];
                            }
                        }
                        if (jHi < ow) {
                            Arrays.fill(col, o + jHi, o + ow, 0f);
                        }
                    }
                }
            }
        }
    }

    /** Adds col [C * k * k, oh * ow] back into sample dx[offset..] ([C, H, W]), which must start zeroed. */
    static void col2im(Conv2dGeometry g, float[] col, float[] dx, int offset) {
        boolean vector = VectorSupport.available();
        int h = g.height(), w = g.width(), k = g.kernel(), s = g.stride(), pad = g.padding();
        int oh = g.outHeight(), ow = g.outWidth();
        int plane = oh * ow;
        int row = 0;
        for (int c = 0; c < g.inChannels(); c++) {
            int xc = offset + c * h * w;
            for (int p = 0; p < k; p++) {
                for (int q = 0; q < k; q++, row++) {
                    int base = row * plane;
                    int jLo = Math.max(0, ceilDiv(pad - q, s));
                    int jHi = Math.min(ow, ceilDiv(w + pad - q, s));
                    for (int i = 0; i < oh; i++) {
                        int ih = i * s - pad + p;
                        if (ih < 0 || ih >= h) {
                            continue;
                        }
                        int o = base + i * ow;
                        int xrow = xc + ih * w - pad + q;
                        if (s == 1 && vector) {
                            VectorConvKernels.addInto(col, o + jLo, dx, xrow + jLo, jHi - jLo);
                        } else if (s == 1) {
                            for (int j = jLo; j < jHi; j++) {
                                dx[xrow + j] += col[o + j];
                            }
                        } else {
                            for (int j = jLo; j < jHi; j++) {
                                dx[xrow + j * s] += col[o + j];
                            }
                        }
                    }
                }
            }
        }
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    /**
     * Forward, per sample: col = im2col(x_n) [kk, P]; y_n [oc, P] = W [oc, kk] x col (NN), then bias and
     * activation in place over the contiguous output.
     */
    static void conv2d(Conv2dGeometry g, float[] x, float[] weight, float[] bias, Activation act, float[] y) {
        int batch = g.batch();
        if (batch == 0) {
            return;
        }
        int oc = g.outChannels();
        int kk = g.patchSize();
        int plane = g.outHeight() * g.outWidth();
        int inSample = g.inChannels() * g.height() * g.width();
        int outSample = oc * plane;
        int chunks = chunks(batch, 2L * oc * kk * plane);
        boolean smallPatch = smallPatch(kk);
        Parallel.forRange(chunks, 1L << 40, (cFrom, cTo) -> {
            Workspace ws = WORKSPACE.get();
            float[] col = ws.col(kk * plane);
            float[] tmp = smallPatch ? null : ws.tmp(outSample);
            for (int chunk = cFrom; chunk < cTo; chunk++) {
                int from = (int) ((long) batch * chunk / chunks);
                int to = (int) ((long) batch * (chunk + 1) / chunks);
                for (int n = from; n < to; n++) {
                    im2col(g, x, n * inSample, col);
                    int yo = n * outSample;
                    if (smallPatch) {
                        VectorConvKernels.smallPatchProduct(oc, kk, plane, weight, col, y, yo);
                        epilogue(y, yo, y, yo, oc, plane, bias, act);
                    } else {
                        CpuGemm.gemm(false, false, oc, plane, kk, 1f, weight, col, 0f, tmp);
                        epilogue(tmp, 0, y, yo, oc, plane, bias, act);
                    }
                }
            }
        });
    }

    /** A first layer's patch (1 channel, 3x3) is below this: a direct product beats the GEMM there. */
    private static final int SMALL_PATCH = 16;

    private static boolean smallPatch(int kk) {
        return kk <= SMALL_PATCH && VectorSupport.available();
    }

    /** dst[d + o * plane + i] = act(src[s + o * plane + i] + bias[o]); src may be dst. */
    private static void epilogue(float[] src, int s, float[] dst, int d, int oc, int plane, float[] bias, Activation act) {
        boolean vector = VectorSupport.available() && (act == Activation.RELU || act == Activation.IDENTITY);
        for (int o = 0; o < oc; o++) {
            float b = bias == null ? 0f : bias[o];
            int t = s + o * plane;
            int to = d + o * plane;
            if (vector) {
                VectorConvKernels.biasActivation(src, t, dst, to, plane, b, act == Activation.RELU);
                continue;
            }
            switch (act) {
                case IDENTITY -> {
                    for (int i = 0; i < plane; i++) {
                        dst[to + i] = src[t + i] + b;
                    }
                }
                case RELU -> {
                    for (int i = 0; i < plane; i++) {
                        dst[to + i] = Math.max(src[t + i] + b, 0f);
                    }
                }
                default -> {
                    for (int i = 0; i < plane; i++) {
                        dst[to + i] = act.forward().apply(src[t + i] + b);
                    }
                }
            }
        }
    }

    /**
     * Backward, per sample: dW [oc, kk] += dy_n [oc, P] x col^T (NT; col = im2col(x_n)); dcol [kk, P] =
     * W^T x dy_n (TN), then col2im into dx_n, or the same through input-wide rows ({@link WideRows}).
     * Partial dW and dbias per chunk, summed in chunk order.
     */
    static void conv2dBackward(Conv2dGeometry g, float[] x, float[] weight, float[] dy,
                               float[] dx, float[] dweight, float[] dbias) {
        int batch = g.batch();
        int oc = g.outChannels();
        int kk = g.patchSize();
        int plane = g.outHeight() * g.outWidth();
        int inSample = g.inChannels() * g.height() * g.width();
        int outSample = oc * plane;
        if (dweight != null) {
            Arrays.fill(dweight, 0, oc * kk, 0f);
        }
        if (dbias != null) {
            Arrays.fill(dbias, 0, oc, 0f);
        }
        if (batch == 0) {
            return;
        }
        int chunks = chunks(batch, 4L * oc * kk * plane);
        float[][] dwParts = new float[chunks][];
        float[][] dbParts = new float[chunks][];
        boolean smallPatch = smallPatch(kk);
        // Unit stride, no padding: the input gradient goes through rows as wide as the input (see
        // WideRows); otherwise through the column matrix and col2im.
        int wide = g.stride() == 1 && g.padding() == 0 ? WideRows.columns(g) : 0;
        Parallel.forRange(chunks, 1L << 40, (cFrom, cTo) -> {
            Workspace ws = WORKSPACE.get();
            float[] col = ws.col(kk * Math.max(plane, wide));
            float[] wideDy = wide > 0 ? ws.wideDy(oc * wide) : null;
            for (int chunk = cFrom; chunk < cTo; chunk++) {
                int from = (int) ((long) batch * chunk / chunks);
                int to = (int) ((long) batch * (chunk + 1) / chunks);
                float[] dw = dweight == null ? null : new float[oc * kk];
                float[] db = dbias == null ? null : new float[oc];
                for (int n = from; n < to; n++) {
                    int yo = n * outSample;
                    if (db != null) {
                        for (int o = 0; o < oc; o++) {
                            int base = yo + o * plane;
                            if (VectorSupport.available()) {
                                db[o] += VectorConvKernels.sum(dy, base, plane);
                            } else {
                                float sum = 0f;
                                for (int i = 0; i < plane; i++) {
                                    sum += dy[base + i];
                                }
                                db[o] += sum;
                            }
                        }
                    }
                    if (dw != null) {
                        im2col(g, x, n * inSample, col);
                        if (smallPatch) {
                            VectorConvKernels.smallPatchWeightGradient(oc, kk, plane, dy, yo, col, dw);
                        } else {
                            CpuGemm.gemm(false, true, oc, kk, plane, 1f, dy, yo, col, 0, 1f, dw, 0);
                        }
                    }
                    if (dx == null) {
                        continue;
                    }
                    Arrays.fill(dx, n * inSample, (n + 1) * inSample, 0f);
                    if (wide > 0) {
                        WideRows.widen(g, dy, yo, wideDy);
                        CpuGemm.gemm(true, false, kk, wide, oc, 1f, weight, 0, wideDy, 0, 0f, col, 0);
                        WideRows.addInto(g, col, dx, n * inSample);
                    } else {
                        CpuGemm.gemm(true, false, kk, plane, oc, 1f, weight, 0, dy, yo, 0f, col, 0);
                        col2im(g, col, dx, n * inSample);
                    }
                }
                dwParts[chunk] = dw;
                dbParts[chunk] = db;
            }
        });
        for (int chunk = 0; chunk < chunks; chunk++) {
            if (dweight != null) {
                float[] part = dwParts[chunk];
                for (int i = 0; i < part.length; i++) {
                    dweight[i] += part[i];
                }
            }
            if (dbias != null) {
                float[] part = dbParts[chunk];
                for (int i = 0; i < part.length; i++) {
                    dbias[i] += part[i];
                }
            }
        }
    }

    // ---------------------------------------------------------------- pooling

    static void maxPool2d(Pool2dGeometry g, float[] x, float[] y, float[] indices) {
        int h = g.height(), w = g.width(), k = g.kernel(), s = g.stride(), pad = g.padding();
        int oh = g.outHeight(), ow = g.outWidth();
        int planes = g.batch() * g.channels();
        if (k == 2 && s == 2 && pad == 0) {
            Parallel.forRange(planes, (long) oh * ow * 4, (from, to) -> {
                if (VectorSupport.available()) {
                    VectorConvKernels.maxPool2x2(x, y, indices, from, to, h, w, oh, ow);
                } else {
                    maxPool2x2(x, y, indices, from, to, h, w, oh, ow);
                }
            });
            return;
        }
        Parallel.forRange(planes, (long) oh * ow * k * k, (from, to) -> {
            for (int pl = from; pl < to; pl++) {
                int xb = pl * h * w;
                int yb = pl * oh * ow;
                for (int i = 0; i < oh; i++) {
                    int h0 = i * s - pad;
                    int hLo = Math.max(h0, 0), hHi = Math.min(h0 + k, h);
                    for (int j = 0; j < ow; j++) {
                        int w0 = j * s - pad;
                        int wLo = Math.max(w0, 0), wHi = Math.min(w0 + k, w);
                        float best = Float.NEGATIVE_INFINITY;
                        int bestIndex = hLo * w + wLo;
                        for (int ih = hLo; ih < hHi; ih++) {
                            for (int iw = wLo; iw < wHi; iw++) {
                                float v = x[xb + ih * w + iw];
                                if (v > best) {
                                    best = v;
                                    bestIndex = ih * w + iw;
                                }
                            }
                        }
                        y[yb + i * ow + j] = best;
                        if (indices != null) {
                            indices[yb + i * ow + j] = bestIndex;
                        }
                    }
                }
            }
        });
    }

    /** The common 2x2, stride 2 window without padding: same result and tie order as the general loop. */
    static void maxPool2x2(float[] x, float[] y, float[] indices, int from, int to, int h, int w, int oh, int ow) {
        for (int pl = from; pl < to; pl++) {
            int xb = pl * h * w;
            int yb = pl * oh * ow;
            for (int i = 0; i < oh; i++) {
                int r0 = xb + 2 * i * w;
                int r1 = r0 + w;
                int o = yb + i * ow;
                for (int j = 0; j < ow; j++) {
                    int c = 2 * j;
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
                    y[o + j] = best;
                    if (indices != null) {
                        indices[o + j] = 2 * i * w + c + at;
                    }
                }
            }
        }
    }

    static void maxPool2dBackward(Pool2dGeometry g, float[] dy, float[] indices, float[] dx) {
        int hw = g.height() * g.width();
        int ohw = g.outHeight() * g.outWidth();
        int planes = g.batch() * g.channels();
        Parallel.forRange(planes, hw + ohw, (from, to) -> {
            for (int pl = from; pl < to; pl++) {
                int xb = pl * hw;
                int yb = pl * ohw;
                Arrays.fill(dx, xb, xb + hw, 0f);
                for (int i = 0; i < ohw; i++) {
                    dx[xb + (int) indices[yb + i]] += dy[yb + i];
                }
            }
        });
    }

    static void avgPool2d(Pool2dGeometry g, float[] x, float[] y) {
        int h = g.height(), w = g.width(), k = g.kernel(), s = g.stride(), pad = g.padding();
        int oh = g.outHeight(), ow = g.outWidth();
        float inv = 1f / (k * k);
        int planes = g.batch() * g.channels();
        Parallel.forRange(planes, (long) oh * ow * k * k, (from, to) -> {
            for (int pl = from; pl < to; pl++) {
                int xb = pl * h * w;
                int yb = pl * oh * ow;
                for (int i = 0; i < oh; i++) {
                    int h0 = i * s - pad;
                    int hLo = Math.max(h0, 0), hHi = Math.min(h0 + k, h);
                    for (int j = 0; j < ow; j++) {
                        int w0 = j * s - pad;
                        int wLo = Math.max(w0, 0), wHi = Math.min(w0 + k, w);
                        float sum = 0f;
                        for (int ih = hLo; ih < hHi; ih++) {
                            for (int iw = wLo; iw < wHi; iw++) {
                                sum += x[xb + ih * w + iw];
                            }
                        }
                        y[yb + i * ow + j] = sum * inv;
                    }
                }
            }
        });
    }

    static void avgPool2dBackward(Pool2dGeometry g, float[] dy, float[] dx) {
        int h = g.height(), w = g.width(), k = g.kernel(), s = g.stride(), pad = g.padding();
        int oh = g.outHeight(), ow = g.outWidth();
        float inv = 1f / (k * k);
        int planes = g.batch() * g.channels();
        Parallel.forRange(planes, (long) oh * ow * k * k, (from, to) -> {
            for (int pl = from; pl < to; pl++) {
                int xb = pl * h * w;
                int yb = pl * oh * ow;
                Arrays.fill(dx, xb, xb + h * w, 0f);
                for (int i = 0; i < oh; i++) {
                    int h0 = i * s - pad;
                    int hLo = Math.max(h0, 0), hHi = Math.min(h0 + k, h);
                    for (int j = 0; j < ow; j++) {
                        int w0 = j * s - pad;
                        int wLo = Math.max(w0, 0), wHi = Math.min(w0 + k, w);
                        float d = dy[yb + i * ow + j] * inv;
                        for (int ih = hLo; ih < hHi; ih++) {
                            for (int iw = wLo; iw < wHi; iw++) {
                                dx[xb + ih * w + iw] += d;
                            }
                        }
                    }
                }
            }
        });
    }
}
