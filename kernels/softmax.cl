/*
 * Row-wise softmax and the fused softmax + cross-entropy. One work-group per row (local size a power
 * of two <= SOFTMAX_GROUP_MAX): a max pass, a sum-of-exp pass, then a write pass, each element read
 * and written by the same work-item, so y may alias x. Launch: global (rows * L), local (L).
 */
#ifndef MYELIN_FN
#define MYELIN_FN static inline
#endif

#define SOFTMAX_GROUP_MAX 256

/*
 * Leaves max and sum(exp(x - max)) of row x[base, base + cols) in *rowMax / *rowSum for every
 * work-item. A macro rather than a function: a __local array cannot be a parameter under CUDA.
 */
#define MYELIN_ROW_MAX_SUM(x, base, cols, scratch, lid, size, rowMax, rowSum)                     \
    {                                                                                              \
        float acc_ = -INFINITY;                                                                    \
        for (int c_ = lid; c_ < cols; c_ += size) acc_ = fmax(acc_, x[base + c_]);               \
        scratch[lid] = acc_;                                                                       \
        barrier(CLK_LOCAL_MEM_FENCE);                                                              \
        for (int s_ = size >> 1; s_ > 0; s_ >>= 1) {                                               \
            if (lid < s_) scratch[lid] = fmax(scratch[lid], scratch[lid + s_]);                  \
            barrier(CLK_LOCAL_MEM_FENCE);                                                          \
        }                                                                                          \
        rowMax = scratch[0];                                                                       \
        barrier(CLK_LOCAL_MEM_FENCE);                                                              \
        acc_ = 0.0f;                                                                               \
        for (int c_ = lid; c_ < cols; c_ += size) acc_ += exp(x[base + c_] - rowMax);            \
        scratch[lid] = acc_;                                                                       \
        barrier(CLK_LOCAL_MEM_FENCE);                                                              \
        for (int s_ = size >> 1; s_ > 0; s_ >>= 1) {                                               \
            if (lid < s_) scratch[lid] = scratch[lid] + scratch[lid + s_];                       \
            barrier(CLK_LOCAL_MEM_FENCE);                                                          \
        }                                                                                          \
        rowSum = scratch[0];                                                                       \
        barrier(CLK_LOCAL_MEM_FENCE);                                                              \
    }

__kernel void softmax_rows(__global const float* x, __global float* y, const int rows, const int cols)
{
    __local float scratch[SOFTMAX_GROUP_MAX];
    const int lid = (int) get_local_id(0);
    const int size = (int) get_local_size(0);
    const int r = (int) get_group_id(0);
    const int base = r * cols;
    float rowMax;
    float rowSum;
    MYELIN_ROW_MAX_SUM(x, base, cols, scratch, lid, size, rowMax, rowSum)
    const float inv = 1.0f / rowSum;
    for (int c = lid; c < cols; c += size) {
        y[base + c] = exp(x[base + c] - rowMax) * inv;
    }
}

/*
 * probs = softmax(logits); losses[r] = log(sum(exp(logits[r]))) - logits[r, label], computed from the
 * logits rather than log(prob) so it stays finite when a probability underflows. A label that is not
 * a class index in [0, cols) gives a NaN loss (a kernel cannot throw).
 */
__kernel void softmax_xent(__global const float* logits, __global const float* labels, __global float* probs,
                           __global float* losses, const int rows, const int cols)
{
    __local float scratch[SOFTMAX_GROUP_MAX];
    const int lid = (int) get_local_id(0);
    const int size = (int) get_local_size(0);
    const int r = (int) get_group_id(0);
    const int base = r * cols;
    float rowMax;
    float rowSum;
    MYELIN_ROW_MAX_SUM(logits, base, cols, scratch, lid, size, rowMax, rowSum)
    if (lid == 0) {
        /* Read the label's logit before the write pass, in case probs aliases logits. */
        const float lf = labels[r];
        const int label = (int) lf;
        const int valid = (float) label == lf && label >= 0 && label < cols;
        losses[r] = valid ? rowMax + log(rowSum) - logits[base + label] : NAN;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    const float inv = 1.0f / rowSum;
    for (int c = lid; c < cols; c += size) {
        probs[base + c] = exp(logits[base + c] - rowMax) * inv;
    }
}

/* dlogits = scale * (probs - onehot(labels)); dlogits may be probs. One work-item per element. */
__kernel void softmax_xent_backward(__global const float* probs, __global const float* labels,
                                    __global float* dlogits, const int rows, const int cols, const float scale)
{
    const int i = (int) get_global_id(0);
    if (i < rows * cols) {
        const int r = i / cols;
        const int c = i - r * cols;
        const float hot = (float) c == labels[r] ? 1.0f : 0.0f;
        dlogits[i] = scale * (probs[i] - hot);
    }
}
