package dev.myelin.backend.cpu;

import dev.myelin.backend.Activation;
import dev.myelin.backend.Conv2dGeometry;
import dev.myelin.backend.Pool2dGeometry;

import java.util.Arrays;

/**
 * Convolution and pooling on the CPU. A convolution is im2col + GEMM per sample: the samples are
 * split over the worker pool in contiguous chunks, each worker unfolds one sample into its own pooled
 * buffer, position-major ([outH * outW, inChannels * k * k], "im2row", so each GEMM is NN or TN with
 * contiguous inner loops), and multiplies through {@link CpuGemm} (which runs on the worker's own
 * thread, nested calls being serial), then writes bias + activation straight into the output. The
 * backward reuses the same buffers: dW^T += rows^T dy^T per chunk (summed over chunks in chunk order,
 * so deterministic), drows = dy^T W then row2im for dx.
 */
final class ConvKernels {
    private ConvKernels() {
    }

    /** Per-thread scratch arrays, grown on demand and kept for the thread's life (no allocation per step). */
    private static final class Workspace {
        float[] col = new float[0];
        float[] tmp = new float[0];
        float[] dy = new float[0];

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

        float[] dy(int n) {
            if (dy.length < n) {
                dy = new float[n];
            }
            return dy;
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


    /**
     * Unfolds sample x[offset..] ([C, H, W]) position-major: rows[pos * kk + r] with pos = i * ow + j and
     * r = (c * k + p) * k + q, so every GEMM of the convolution is NN or TN with a contiguous inner loop.
     */
    static void im2row(Conv2dGeometry g, float[] x, int offset, float[] rows) {
        int h = g.height(), w = g.width(), k = g.kernel(), s = g.stride(), pad = g.padding();
        int oh = g.outHeight(), ow = g.outWidth();
        int kk = g.patchSize();
        int channels = g.inChannels();
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                int o = (i * ow + j) * kk;
                int w0 = j * s - pad;
                int qLo = Math.max(0, -w0);
                int qHi = Math.min(k, w - w0);
                for (int c = 0; c < channels; c++) {
                    int xc = offset + c * h * w;
                    for (int p = 0; p < k; p++, o += k) {
                        int ih = i * s - pad + p;
                        if (ih < 0 || ih >= h || qLo >= qHi) {
                            Arrays.fill(rows, o, o + k, 0f);
                            continue;
                        }
                        for (int q = 0; q < qLo; q++) {
                            rows[o + q] = 0f;
                        }
                        int xr = xc + ih * w + w0;
                        for (int q = qLo; q < qHi; q++) {
                            rows[o + q] = x[xr + q];
                        }
                        for (int q = qHi; q < k; q++) {
                            rows[o + q] = 0f;
                        }
                    }
                }
            }
        }
    }

    /** Adds position-major rows (as {@link #im2row} lays them out) into sample dx[offset..], which must start zeroed. */
    static void row2im(Conv2dGeometry g, float[] rows, float[] dx, int offset) {
        int h = g.height(), w = g.width(), k = g.kernel(), s = g.stride(), pad = g.padding();
        int oh = g.outHeight(), ow = g.outWidth();
        int kk = g.patchSize();
        int channels = g.inChannels();
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                int o = (i * ow + j) * kk;
                int w0 = j * s - pad;
                int qLo = Math.max(0, -w0);
                int qHi = Math.min(k, w - w0);
                for (int c = 0; c < channels; c++) {
                    int xc = offset + c * h * w;
                    for (int p = 0; p < k; p++, o += k) {
                        int ih = i * s - pad + p;
                        if (ih < 0 || ih >= h) {
                            continue;
                        }
                        int xr = xc + ih * w + w0;
                        for (int q = qLo; q < qHi; q++) {
                            dx[xr + q] += rows[o + q];
                        }
                    }
                }
            }
        }
    }

    /** out[c * rows + r] = in[r * cols + c]: [rows, cols] to [cols, rows]. */
    static void transpose(float[] in, int inOffset, int rows, int cols, float[] out) {
        for (int r0 = 0; r0 < rows; r0 += 32) {
            int r1 = Math.min(rows, r0 + 32);
            for (int c0 = 0; c0 < cols; c0 += 32) {
                int c1 = Math.min(cols, c0 + 32);
                for (int r = r0; r < r1; r++) {
                    int base = inOffset + r * cols;
                    for (int c = c0; c < c1; c++) {
                        out[c * rows + r] = in[base + c];
                    }
                }
            }
        }
    }

    /**
     * Forward: per sample, rows = im2row(x_n) [P, kk]; yT = rows x W^T [P, oc] (W^T transposed once per
     * call); y_n[o, pos] = act(yT[pos, o] + bias[o]).
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
        float[] weightT = new float[kk * oc];
        transpose(weight, 0, oc, kk, weightT);
        int chunks = chunks(batch, 2L * oc * kk * plane);
        Parallel.forRange(chunks, 1L << 40, (cFrom, cTo) -> {
            Workspace ws = WORKSPACE.get();
            float[] rows = ws.col(kk * plane);
            float[] tmp = ws.tmp(outSample);
            for (int chunk = cFrom; chunk < cTo; chunk++) {
                int from = (int) ((long) batch * chunk / chunks);
                int to = (int) ((long) batch * (chunk + 1) / chunks);
                for (int n = from; n < to; n++) {
                    im2row(g, x, n * inSample, rows);
                    CpuGemm.gemm(false, false, plane, oc, kk, 1f, rows, weightT, 0f, tmp);
                    writeOutput(tmp, bias, act, y, n * outSample, oc, plane);
                }
            }
        });
    }

    /** y[yo + o * plane + pos] = act(tmp[pos * oc + o] + bias[o]), in cache-sized blocks of positions. */
    private static void writeOutput(float[] tmp, float[] bias, Activation act, float[] y, int yo, int oc, int plane) {
        for (int p0 = 0; p0 < plane; p0 += 64) {
            int p1 = Math.min(plane, p0 + 64);
            for (int o = 0; o < oc; o++) {
                float b = bias == null ? 0f : bias[o];
                int d = yo + o * plane;
                switch (act) {
                    case IDENTITY -> {
                        for (int pos = p0; pos < p1; pos++) {
                            y[d + pos] = tmp[pos * oc + o] + b;
                        }
                    }
                    case RELU -> {
                        for (int pos = p0; pos < p1; pos++) {
                            y[d + pos] = Math.max(tmp[pos * oc + o] + b, 0f);
                        }
                    }
                    default -> {
                        for (int pos = p0; pos < p1; pos++) {
                            y[d + pos] = act.forward().apply(tmp[pos * oc + o] + b);
                        }
                    }
                }
            }
        }
    }

    /**
     * Backward, per sample: dyT = dy_n^T [P, oc]; dW^T [kk, oc] += rows^T dyT (rows = im2row(x_n));
     * drows [P, kk] = dyT W, then row2im into dx_n. Partial dW^T and dbias per chunk, summed in chunk order.
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
        Parallel.forRange(chunks, 1L << 40, (cFrom, cTo) -> {
            Workspace ws = WORKSPACE.get();
            float[] rows = ws.col(kk * plane);
            float[] dyT = ws.dy(outSample);
            for (int chunk = cFrom; chunk < cTo; chunk++) {
                int from = (int) ((long) batch * chunk / chunks);
                int to = (int) ((long) batch * (chunk + 1) / chunks);
                float[] dwT = dweight == null ? null : new float[kk * oc];
                float[] db = dbias == null ? null : new float[oc];
                for (int n = from; n < to; n++) {
                    int dyo = n * outSample;
                    if (db != null) {
                        for (int o = 0; o < oc; o++) {
                            float sum = 0f;
                            int base = dyo + o * plane;
                            for (int i = 0; i < plane; i++) {
                                sum += dy[base + i];
                            }
                            db[o] += sum;
                        }
                    }
                    if (dwT == null && dx == null) {
                        continue;
                    }
                    transpose(dy, dyo, oc, plane, dyT);
                    if (dwT != null) {
                        im2row(g, x, n * inSample, rows);
                        CpuGemm.gemm(true, false, kk, oc, plane, 1f, rows, dyT, 1f, dwT);
                    }
                    if (dx != null) {
                        CpuGemm.gemm(false, false, plane, kk, oc, 1f, dyT, weight, 0f, rows);
                        Arrays.fill(dx, n * inSample, (n + 1) * inSample, 0f);
                        row2im(g, rows, dx, n * inSample);
                    }
                }
                dwParts[chunk] = dwT;
                dbParts[chunk] = db;
            }
        });
        for (int chunk = 0; chunk < chunks; chunk++) {
            if (dweight != null) {
                float[] part = dwParts[chunk];
                // part is [kk, oc]; dweight is [oc, kk].
                for (int o = 0; o < oc; o++) {
                    for (int r = 0; r < kk; r++) {
                        dweight[o * kk + r] += part[r * oc + o];
                    }
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
