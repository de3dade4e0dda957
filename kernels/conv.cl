/*
 * Convolution (im2col + the gemm kernel) and pooling over NCHW data, one work-item per element
 * written, 1-D launches rounded up to the local size (every kernel checks its bound).
 *
 * A convolution runs on a chunk of nb samples starting at sample n0: im2col unfolds them into
 * col [C*k*k, nb*P] (P = OH*OW, column nl*P + pos), the gemm kernel computes W [OC, C*k*k] x col into
 * tmp [OC, nb*P], and conv_output writes act(tmp + bias) into y in NCHW order. The backward gathers
 * dy into the same [OC, nb*P] layout (conv_gather_dy), multiplies with gemm, and col2im gathers the
 * columns back into dx (a gather per input element: deterministic, no atomics).
 * Every gradient kernel here overwrites its output.
 */
#ifndef MYELIN_FN
#define MYELIN_FN static inline
#endif

/* Activation codes (KernelCodes.of(Activation)). */
#define CONV_ACT_IDENTITY 0
#define CONV_ACT_RELU     1
#define CONV_ACT_SIGMOID  2
#define CONV_ACT_TANH     3

MYELIN_FN float conv_activation(const int act, const float x)
{
    switch (act) {
        case CONV_ACT_RELU:    return x > 0.0f ? x : 0.0f;
        case CONV_ACT_SIGMOID: return 1.0f / (1.0f + exp(-x));
        case CONV_ACT_TANH:    return tanh(x);
        default:               return x;
    }
}

__kernel void im2col(__global const float* x, __global float* col, const int C, const int H, const int W,
                     const int k, const int s, const int pad, const int OH, const int OW, const int n0, const int nb)
{
    const int P = OH * OW;
    const int width = nb * P;
    const int total = C * k * k * width;
    const int idx = (int) get_global_id(0);
    if (idx >= total) {
        return;
    }
    const int row = idx / width;
    const int column = idx - row * width;
    const int nl = column / P;
    const int pos = column - nl * P;
    const int i = pos / OW;
    const int j = pos - i * OW;
    const int q = row % k;
    const int p = (row / k) % k;
    const int c = row / (k * k);
    const int ih = i * s - pad + p;
    const int iw = j * s - pad + q;
    float v = 0.0f;
    if (ih >= 0 && ih < H && iw >= 0 && iw < W) {
        v = x[(((n0 + nl) * C + c) * H + ih) * W + iw];
    }
    col[idx] = v;
}

/* y[n0 + nl, o, pos] = act(tmp[o, nl * P + pos] + bias[o]). */
__kernel void conv_output(__global const float* tmp, __global const float* bias, const int hasBias, const int act,
                          __global float* y, const int OC, const int P, const int n0, const int nb)
{
    const int idx = (int) get_global_id(0);
    if (idx >= nb * OC * P) {
        return;
    }
    const int nl = idx / (OC * P);
    const int rest = idx - nl * OC * P;
    const int o = rest / P;
    const int pos = rest - o * P;
    float v = tmp[o * (nb * P) + nl * P + pos];
    if (hasBias) {
        v += bias[o];
    }
    y[n0 * OC * P + idx] = conv_activation(act, v);
}

/* dyT[o, nl * P + pos] = dy[n0 + nl, o, pos]. */
__kernel void conv_gather_dy(__global const float* dy, __global float* dyT, const int OC, const int P,
                             const int n0, const int nb)
{
    const int idx = (int) get_global_id(0);
    if (idx >= nb * OC * P) {
        return;
    }
    const int nl = idx / (OC * P);
    const int rest = idx - nl * OC * P;
    const int o = rest / P;
    const int pos = rest - o * P;
    dyT[o * (nb * P) + nl * P + pos] = dy[n0 * OC * P + idx];
}

/* dx[n0 + nl, c, ih, iw] = sum of the col entries that im2col read from that position. */
__kernel void col2im(__global const float* col, __global float* dx, const int C, const int H, const int W,
                     const int k, const int s, const int pad, const int OH, const int OW, const int n0, const int nb)
{
    const int idx = (int) get_global_id(0);
    if (idx >= nb * C * H * W) {
        return;
    }
    const int iw = idx % W;
    const int ih = (idx / W) % H;
    const int c = (idx / (W * H)) % C;
    const int nl = idx / (W * H * C);
    const int P = OH * OW;
    const int width = nb * P;
    float acc = 0.0f;
    for (int p = 0; p < k; p++) {
        const int hi = ih + pad - p;
        if (hi < 0 || hi % s != 0) {
            continue;
        }
        const int i = hi / s;
        if (i >= OH) {
            continue;
        }
        for (int q = 0; q < k; q++) {
            const int wi = iw + pad - q;
            if (wi < 0 || wi % s != 0) {
                continue;
            }
            const int j = wi / s;
            if (j >= OW) {
                continue;
            }
            acc += col[((c * k + p) * k + q) * width + nl * P + i * OW + j];
        }
    }
    dx[n0 * C * H * W + idx] = acc;
}

/* dbias[o] = sum over n and pos of dy[n, o, pos]. */
__kernel void conv_bias_grad(__global const float* dy, __global float* dbias, const int N, const int OC, const int P)
{
    const int o = (int) get_global_id(0);
    if (o >= OC) {
        return;
    }
    float acc = 0.0f;
    for (int n = 0; n < N; n++) {
        const int base = (n * OC + o) * P;
        for (int pos = 0; pos < P; pos++) {
            acc += dy[base + pos];
        }
    }
    dbias[o] = acc;
}

/* One work-item per output; total = N * C * OH * OW. */
__kernel void max_pool2d(__global const float* x, __global float* y, __global float* indices, const int hasIndices,
                         const int H, const int W, const int k, const int s, const int pad,
                         const int OH, const int OW, const int total)
{
    const int idx = (int) get_global_id(0);
    if (idx >= total) {
        return;
    }
    const int j = idx % OW;
    const int i = (idx / OW) % OH;
    const int plane = idx / (OW * OH);
    const int h0 = i * s - pad;
    const int w0 = j * s - pad;
    const int hLo = max(h0, 0);
    const int hHi = min(h0 + k, H);
    const int wLo = max(w0, 0);
    const int wHi = min(w0 + k, W);
    __global const float* xp = x + plane * H * W;
    float best = -INFINITY;
    int bestIndex = hLo * W + wLo;
    for (int ih = hLo; ih < hHi; ih++) {
        for (int iw = wLo; iw < wHi; iw++) {
            const float v = xp[ih * W + iw];
            if (v > best) {
                best = v;
                bestIndex = ih * W + iw;
            }
        }
    }
    y[idx] = best;
    if (hasIndices) {
        indices[idx] = (float) bestIndex;
    }
}

/* First and last output row (or column) whose window covers input row h: [lo, hi]. */
MYELIN_FN int pool_first(const int h, const int k, const int s, const int pad)
{
    const int a = h + pad - k + 1;
    return a <= 0 ? 0 : (a + s - 1) / s;
}

MYELIN_FN int pool_last(const int h, const int s, const int pad, const int outSize)
{
    return min((h + pad) / s, outSize - 1);
}

/* One work-item per input; total = N * C * H * W. */
__kernel void max_pool2d_backward(__global const float* dy, __global const float* indices, __global float* dx,
                                  const int H, const int W, const int k, const int s, const int pad,
                                  const int OH, const int OW, const int total)
{
    const int idx = (int) get_global_id(0);
    if (idx >= total) {
        return;
    }
    const int iw = idx % W;
    const int ih = (idx / W) % H;
    const int plane = idx / (W * H);
    const float self = (float) (ih * W + iw);
    const int base = plane * OH * OW;
    float acc = 0.0f;
    const int iHi = pool_last(ih, s, pad, OH);
    const int jHi = pool_last(iw, s, pad, OW);
    for (int i = pool_first(ih, k, s, pad); i <= iHi; i++) {
        for (int j = pool_first(iw, k, s, pad); j <= jHi; j++) {
            if (indices[base + i * OW + j] == self) {
                acc += dy[base + i * OW + j];
            }
        }
    }
    dx[idx] = acc;
}

__kernel void avg_pool2d(__global const float* x, __global float* y,
                         const int H, const int W, const int k, const int s, const int pad,
                         const int OH, const int OW, const int total)
{
    const int idx = (int) get_global_id(0);
    if (idx >= total) {
        return;
    }
    const int j = idx % OW;
    const int i = (idx / OW) % OH;
    const int plane = idx / (OW * OH);
    const int h0 = i * s - pad;
    const int w0 = j * s - pad;
    const int hLo = max(h0, 0);
    const int hHi = min(h0 + k, H);
    const int wLo = max(w0, 0);
    const int wHi = min(w0 + k, W);
    __global const float* xp = x + plane * H * W;
    float sum = 0.0f;
    for (int ih = hLo; ih < hHi; ih++) {
        for (int iw = wLo; iw < wHi; iw++) {
            sum += xp[ih * W + iw];
        }
    }
    y[idx] = sum * (1.0f / (float) (k * k));
}

__kernel void avg_pool2d_backward(__global const float* dy, __global float* dx,
                                  const int H, const int W, const int k, const int s, const int pad,
                                  const int OH, const int OW, const int total)
{
    const int idx = (int) get_global_id(0);
    if (idx >= total) {
        return;
    }
    const int iw = idx % W;
    const int ih = (idx / W) % H;
    const int plane = idx / (W * H);
    const int base = plane * OH * OW;
    float acc = 0.0f;
    const int iHi = pool_last(ih, s, pad, OH);
    const int jHi = pool_last(iw, s, pad, OW);
    for (int i = pool_first(ih, k, s, pad); i <= iHi; i++) {
        for (int j = pool_first(iw, k, s, pad); j <= jHi; j++) {
            acc += dy[base + i * OW + j];
        }
    }
    dx[idx] = acc * (1.0f / (float) (k * k));
}
