/*
 * The element-wise halves of one LSTM or GRU step (the matrix products run as GEMMs on the host's
 * side). One work-item per (batch row, hidden unit), 1-D, global size rounded up: each checks its
 * bound. Gate blocks follow PyTorch: LSTM i, f, g, o over [batch, 4 * hidden]; GRU r, z, n over
 * [batch, 3 * hidden]. Each work-item reads every input it needs before writing, and writes only its
 * own elements, so the in-place uses the contract allows (gates, dcPrev = dc) are safe.
 */
#ifndef MYELIN_FN
#define MYELIN_FN static inline
#endif

/* As myelin_unary's SIGMOID in elementwise.cl (a separate program under OpenCL, so its own copy). */
MYELIN_FN float rnn_sigmoid(const float x)
{
    return 1.0f / (1.0f + exp(-x));
}

/* gates pre-activations -> activations in place; c = f * cPrev + i * g; h = o * tanh(c). */
__kernel void lstm_cell(__global float* gates, __global const float* cPrev, __global float* c, __global float* h,
                        const int batch, const int hidden)
{
    const int idx = (int) get_global_id(0);
    if (idx < batch * hidden) {
        const int b = idx / hidden;
        const int j = idx - b * hidden;
        const long base = (long) b * 4 * hidden + j;
        const float ig = rnn_sigmoid(gates[base]);
        const float fg = rnn_sigmoid(gates[base + hidden]);
        const float gg = tanh(gates[base + 2 * hidden]);
        const float og = rnn_sigmoid(gates[base + 3 * hidden]);
        gates[base] = ig;
        gates[base + hidden] = fg;
        gates[base + 2 * hidden] = gg;
        gates[base + 3 * hidden] = og;
        const float cv = fg * cPrev[idx] + ig * gg;
        c[idx] = cv;
        h[idx] = og * tanh(cv);
    }
}

/*
 * From the activated gates: dcTotal = dc + dh * o * (1 - tanh(c)^2) (dc absent when hasDc == 0);
 * dGates = (dcTotal * g * i(1-i), dcTotal * cPrev * f(1-f), dcTotal * i * (1-g^2), dh * tanh(c) * o(1-o));
 * dcPrev = dcTotal * f. dcPrev may be dc.
 */
__kernel void lstm_cell_backward(__global const float* gates, __global const float* cPrev, __global const float* c,
                                 __global const float* dh, __global const float* dc, const int hasDc,
                                 __global float* dGates, __global float* dcPrev, const int batch, const int hidden)
{
    const int idx = (int) get_global_id(0);
    if (idx < batch * hidden) {
        const int b = idx / hidden;
        const int j = idx - b * hidden;
        const long base = (long) b * 4 * hidden + j;
        const float ig = gates[base];
        const float fg = gates[base + hidden];
        const float gg = gates[base + 2 * hidden];
        const float og = gates[base + 3 * hidden];
        const float tc = tanh(c[idx]);
        const float dhv = dh[idx];
        const float dcTotal = (hasDc ? dc[idx] : 0.0f) + dhv * og * (1.0f - tc * tc);
        dGates[base] = dcTotal * gg * ig * (1.0f - ig);
        dGates[base + hidden] = dcTotal * cPrev[idx] * fg * (1.0f - fg);
        dGates[base + 2 * hidden] = dcTotal * ig * (1.0f - gg * gg);
        dGates[base + 3 * hidden] = dhv * tc * og * (1.0f - og);
        dcPrev[idx] = dcTotal * fg;
    }
}

/*
 * r = sigmoid(xg_r + hg_r), z = sigmoid(xg_z + hg_z), n = tanh(xg_n + r * hg_n),
 * h = (1 - z) * n + z * hPrev; saved = (r, z, n).
 */
__kernel void gru_cell(__global const float* xg, __global const float* hg, __global const float* hPrev,
                       __global float* h, __global float* saved, const int batch, const int hidden)
{
    const int idx = (int) get_global_id(0);
    if (idx < batch * hidden) {
        const int b = idx / hidden;
        const int j = idx - b * hidden;
        const long base = (long) b * 3 * hidden + j;
        const float r = rnn_sigmoid(xg[base] + hg[base]);
        const float z = rnn_sigmoid(xg[base + hidden] + hg[base + hidden]);
        const float nv = tanh(xg[base + 2 * hidden] + r * hg[base + 2 * hidden]);
        saved[base] = r;
        saved[base + hidden] = z;
        saved[base + 2 * hidden] = nv;
        h[idx] = (1.0f - z) * nv + z * hPrev[idx];
    }
}

/*
 * dnPre = dh * (1 - z) * (1 - n^2), drPre = dnPre * hg_n * r(1-r), dzPre = dh * (hPrev - n) * z(1-z);
 * dxg = (drPre, dzPre, dnPre), dhg = (drPre, dzPre, dnPre * r), dhPrev = dh * z (the direct path).
 */
__kernel void gru_cell_backward(__global const float* saved, __global const float* hg, __global const float* hPrev,
                                __global const float* dh, __global float* dxg, __global float* dhg,
                                __global float* dhPrev, const int batch, const int hidden)
{
    const int idx = (int) get_global_id(0);
    if (idx < batch * hidden) {
        const int b = idx / hidden;
        const int j = idx - b * hidden;
        const long base = (long) b * 3 * hidden + j;
        const float r = saved[base];
        const float z = saved[base + hidden];
        const float nv = saved[base + 2 * hidden];
        const float dhv = dh[idx];
        const float dnPre = dhv * (1.0f - z) * (1.0f - nv * nv);
        const float drPre = dnPre * hg[base + 2 * hidden] * r * (1.0f - r);
        const float dzPre = dhv * (hPrev[idx] - nv) * z * (1.0f - z);
        dxg[base] = drPre;
        dxg[base + hidden] = dzPre;
        dxg[base + 2 * hidden] = dnPre;
        dhg[base] = drPre;
        dhg[base + hidden] = dzPre;
        dhg[base + 2 * hidden] = dnPre * r;
        dhPrev[idx] = dhv * z;
    }
}
