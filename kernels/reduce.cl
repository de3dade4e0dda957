/*
 * Reductions of an [rows, cols] operand.
 *
 * Row-wise kernels (reduce_rows, argmax_rows) run one work-group per row: each work-item strides
 * over the row, then a tree in local memory combines the partial results. The local size must be a
 * power of two no larger than REDUCE_GROUP_MAX. Launch: global (rows * L), local (L).
 * Column-wise (reduce_cols) runs one work-item per column walking down the rows, so neighbouring
 * work-items read neighbouring addresses.
 */
#ifndef MYELIN_FN
#define MYELIN_FN static inline
#endif

#define REDUCE_GROUP_MAX 256

/* ReduceOp codes. */
#define R_SUM  0
#define R_MEAN 1
#define R_MAX  2

__kernel void reduce_rows(const int op, __global const float* x, __global float* out, const int rows, const int cols)
{
    __local float scratch[REDUCE_GROUP_MAX];
    const int lid = (int) get_local_id(0);
    const int size = (int) get_local_size(0);
    const int r = (int) get_group_id(0);
    const int base = r * cols;
    float acc = op == R_MAX ? -INFINITY : 0.0f;
    for (int c = lid; c < cols; c += size) {
        const float v = x[base + c];
        acc = op == R_MAX ? fmax(acc, v) : acc + v;
    }
    scratch[lid] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = size >> 1; s > 0; s >>= 1) {
        if (lid < s) {
            const float other = scratch[lid + s];
            scratch[lid] = op == R_MAX ? fmax(scratch[lid], other) : scratch[lid] + other;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0 && r < rows) {
        out[r] = op == R_MEAN ? scratch[0] / (float) cols : scratch[0];
    }
}

__kernel void reduce_cols(const int op, __global const float* x, __global float* out, const int rows, const int cols)
{
    const int c = (int) get_global_id(0);
    if (c < cols) {
        float acc = op == R_MAX ? -INFINITY : 0.0f;
        for (int r = 0; r < rows; r++) {
            const float v = x[r * cols + c];
            acc = op == R_MAX ? fmax(acc, v) : acc + v;
        }
        out[c] = op == R_MEAN ? acc / (float) rows : acc;
    }
}

/* out[r] = index of the largest x[r, c], the first one on ties, as a float. */
__kernel void argmax_rows(__global const float* x, __global float* out, const int rows, const int cols)
{
    __local float values[REDUCE_GROUP_MAX];
    __local int indices[REDUCE_GROUP_MAX];
    const int lid = (int) get_local_id(0);
    const int size = (int) get_local_size(0);
    const int r = (int) get_group_id(0);
    const int base = r * cols;
    float best = -INFINITY;
    int bestIndex = 0x7fffffff;
    if (lid < cols) {
        best = x[base + lid];
        bestIndex = lid;
    }
    for (int c = lid + size; c < cols; c += size) {
        const float v = x[base + c];
        if (v > best) {
            best = v;
            bestIndex = c;
        }
    }
    values[lid] = best;
    indices[lid] = bestIndex;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = size >> 1; s > 0; s >>= 1) {
        if (lid < s) {
            const float v = values[lid + s];
            const int vi = indices[lid + s];
            if (v > values[lid] || (v == values[lid] && vi < indices[lid])) {
                values[lid] = v;
                indices[lid] = vi;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0 && r < rows) {
        out[r] = (float) (indices[0] == 0x7fffffff ? 0 : indices[0]);
    }
}
