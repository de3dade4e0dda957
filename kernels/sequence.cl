/*
 * Kernels of the sequence models (attention and transformer blocks): strided 3-D copy, causal
 * softmax, softmax backward, layer norm and its backward, embedding gather and its deterministic
 * scatter-add.
 *
 * Row kernels run one work-group per row (local size a power of two <= SEQ_GROUP_MAX; launch global
 * (rows * L), local (L)); every element of a row is read and written by the same work-item, after
 * barriers that end the row's reductions, so an output may alias its input where the contract allows.
 * The other kernels are 1-D, one work-item per element, global size rounded up: each checks its bound.
 */
#ifndef MYELIN_FN
#define MYELIN_FN static inline
#endif

#define SEQ_GROUP_MAX 256

/*
 * result = the combination (fmax or +) of value over the work-group, for every work-item; scratch is
 * the kernel's __local array (a macro: CUDA cannot take __shared__ arrays as parameters).
 */
#define SEQ_GROUP_REDUCE(result, value, COMBINE)                   \
    do {                                                           \
        scratch[lid] = (value);                                    \
        barrier(CLK_LOCAL_MEM_FENCE);                              \
        for (int s_ = size >> 1; s_ > 0; s_ >>= 1) {               \
            if (lid < s_) {                                        \
                scratch[lid] = COMBINE(scratch[lid], scratch[lid + s_]); \
            }                                                      \
            barrier(CLK_LOCAL_MEM_FENCE);                          \
        }                                                          \
        (result) = scratch[0];                                     \
        barrier(CLK_LOCAL_MEM_FENCE);                              \
    } while (0)

#define SEQ_ADD(a, b) ((a) + (b))
#define SEQ_MAX(a, b) fmax((a), (b))

/*
 * dst[dstOffset + b * dstBatchStride + r * dstRowStride + j] (+)= src[srcOffset + b * srcBatchStride
 * + r * srcRowStride + j] for b < batches, r < rows, j < cols. One work-item per element.
 */
__kernel void copy_strided(__global const float* src, const int srcOffset, const int srcBatchStride,
                           const int srcRowStride, __global float* dst, const int dstOffset,
                           const int dstBatchStride, const int dstRowStride, const int batches,
                           const int rows, const int cols, const int accumulate)
{
    const int i = (int) get_global_id(0);
    if (i < batches * rows * cols) {
        const int j = i % cols;
        const int br = i / cols;
        const int r = br % rows;
        const int b = br / rows;
        const float v = src[srcOffset + b * srcBatchStride + r * srcRowStride + j];
        const int at = dstOffset + b * dstBatchStride + r * dstRowStride + j;
        dst[at] = accumulate ? dst[at] + v : v;
    }
}

/*
 * Row r of [rows, cols] (square [cols, cols] blocks) is query i = r % cols and sees columns j <= i:
 * y = exp(scale * x - max) / sum over the visible columns, 0 beyond. y may be x.
 */
__kernel void causal_softmax(__global const float* x, __global float* y, const int rows, const int cols,
                             const float scale)
{
    __local float scratch[SEQ_GROUP_MAX];
    const int lid = (int) get_local_id(0);
    const int size = (int) get_local_size(0);
    const int r = (int) get_group_id(0);
    const long base = (long) r * cols;
    const int visible = r % cols + 1;
    float acc = -INFINITY;
    for (int j = lid; j < visible; j += size) {
        acc = fmax(acc, scale * x[base + j]);
    }
    float rowMax;
    SEQ_GROUP_REDUCE(rowMax, acc, SEQ_MAX);
    acc = 0.0f;
    for (int j = lid; j < visible; j += size) {
        acc += exp(scale * x[base + j] - rowMax);
    }
    float rowSum;
    SEQ_GROUP_REDUCE(rowSum, acc, SEQ_ADD);
    const float inv = 1.0f / rowSum;
    for (int j = lid; j < cols; j += size) {
        y[base + j] = j < visible ? exp(scale * x[base + j] - rowMax) * inv : 0.0f;
    }
}

/* dx = scale * y * (dy - sum(dy * y)) per row; dx may be dy. */
__kernel void softmax_backward(__global const float* y, __global const float* dy, __global float* dx,
                               const int rows, const int cols, const float scale)
{
    __local float scratch[SEQ_GROUP_MAX];
    const int lid = (int) get_local_id(0);
    const int size = (int) get_local_size(0);
    const int r = (int) get_group_id(0);
    const long base = (long) r * cols;
    float acc = 0.0f;
    for (int j = lid; j < cols; j += size) {
        acc += dy[base + j] * y[base + j];
    }
    float dot;
    SEQ_GROUP_REDUCE(dot, acc, SEQ_ADD);
    for (int j = lid; j < cols; j += size) {
        dx[base + j] = scale * y[base + j] * (dy[base + j] - dot);
    }
}

/* Which of layer_norm's optional outputs to write (the host passes stand-ins for the others). */
#define LN_SAVE_MEAN    1
#define LN_SAVE_INV_STD 2

/*
 * y = (x - mean) * invStd * gamma + beta per row, biased variance (two passes, so no cancellation);
 * mean and invStd saved per row as the flags say. y may be x.
 */
__kernel void layer_norm(__global const float* x, __global const float* gamma, __global const float* beta,
                         __global float* y, __global float* saveMean, __global float* saveInvStd, const int save,
                         const int rows, const int cols, const float eps)
{
    __local float scratch[SEQ_GROUP_MAX];
    const int lid = (int) get_local_id(0);
    const int size = (int) get_local_size(0);
    const int r = (int) get_group_id(0);
    const long base = (long) r * cols;
    float acc = 0.0f;
    for (int j = lid; j < cols; j += size) {
        acc += x[base + j];
    }
    float sum;
    SEQ_GROUP_REDUCE(sum, acc, SEQ_ADD);
    const float mean = sum / (float) cols;
    acc = 0.0f;
    for (int j = lid; j < cols; j += size) {
        const float d = x[base + j] - mean;
        acc += d * d;
    }
    float sq;
    SEQ_GROUP_REDUCE(sq, acc, SEQ_ADD);
    const float invStd = 1.0f / sqrt(sq / (float) cols + eps);
    if (lid == 0) {
        if (save & LN_SAVE_MEAN) {
            saveMean[r] = mean;
        }
        if (save & LN_SAVE_INV_STD) {
            saveInvStd[r] = invStd;
        }
    }
    for (int j = lid; j < cols; j += size) {
        y[base + j] = (x[base + j] - mean) * invStd * gamma[j] + beta[j];
    }
}

/*
 * dx of layer norm per row: with g = dy * gamma and xhat = (x - mean) * invStd,
 * dx = invStd / cols * (cols * g - sum(g) - xhat * sum(g * xhat)). dx may be dy.
 */
__kernel void layer_norm_backward(__global const float* x, __global const float* dy, __global const float* gamma,
                                  __global const float* saveMean, __global const float* saveInvStd,
                                  __global float* dx, const int rows, const int cols)
{
    __local float scratch[SEQ_GROUP_MAX];
    const int lid = (int) get_local_id(0);
    const int size = (int) get_local_size(0);
    const int r = (int) get_group_id(0);
    const long base = (long) r * cols;
    const float mean = saveMean[r];
    const float invStd = saveInvStd[r];
    float accG = 0.0f;
    float accGXhat = 0.0f;
    for (int j = lid; j < cols; j += size) {
        const float g = dy[base + j] * gamma[j];
        accG += g;
        accGXhat += g * (x[base + j] - mean) * invStd;
    }
    float sumG;
    float sumGXhat;
    SEQ_GROUP_REDUCE(sumG, accG, SEQ_ADD);
    SEQ_GROUP_REDUCE(sumGXhat, accGXhat, SEQ_ADD);
    const float k = invStd / (float) cols;
    for (int j = lid; j < cols; j += size) {
        const float xhat = (x[base + j] - mean) * invStd;
        dx[base + j] = k * ((float) cols * dy[base + j] * gamma[j] - sumG - xhat * sumGXhat);
    }
}

/*
 * dgamma[c] = sum over rows of dy * xhat and dbeta[c] = sum over rows of dy, in two deterministic
 * passes so that thousands of rows do not run down one thread per column: layer_norm_params_partial
 * sums chunks of chunkRows rows (one work-item per (chunk, column), neighbours on neighbouring
 * columns), partial [2, chunks, cols] holding the dgamma then the dbeta sums; layer_norm_params_sum
 * adds the chunks in ascending order (one work-item per column).
 */
__kernel void layer_norm_params_partial(__global const float* x, __global const float* dy,
                                        __global const float* saveMean, __global const float* saveInvStd,
                                        __global float* partial, const int rows, const int cols, const int chunkRows)
{
    const int i = (int) get_global_id(0);
    const int chunks = (rows + chunkRows - 1) / chunkRows;
    if (i < chunks * cols) {
        const int chunk = i / cols;
        const int c = i - chunk * cols;
        const int end = min(rows, (chunk + 1) * chunkRows);
        float accDy = 0.0f;
        float accDyXhat = 0.0f;
        for (int r = chunk * chunkRows; r < end; r++) {
            const long at = (long) r * cols + c;
            const float d = dy[at];
            accDy += d;
            accDyXhat += d * (x[at] - saveMean[r]) * saveInvStd[r];
        }
        partial[i] = accDyXhat;
        partial[(long) chunks * cols + i] = accDy;
    }
}

/* Which of layer_norm_params_sum's outputs to write. */
#define LN_WANT_DGAMMA 1
#define LN_WANT_DBETA  2

__kernel void layer_norm_params_sum(__global const float* partial, __global float* dgamma, __global float* dbeta,
                                    const int want, const int chunks, const int cols)
{
    const int c = (int) get_global_id(0);
    if (c < cols) {
        float accDyXhat = 0.0f;
        float accDy = 0.0f;
        for (int k = 0; k < chunks; k++) {
            accDyXhat += partial[(long) k * cols + c];
            accDy += partial[(long) (chunks + k) * cols + c];
        }
        if (want & LN_WANT_DGAMMA) {
            dgamma[c] = accDyXhat;
        }
        if (want & LN_WANT_DBETA) {
            dbeta[c] = accDy;
        }
    }
}

/* out[i, :] = table[ids[i], :]; one work-item per output element. */
__kernel void embedding(__global const float* table, __global const float* ids, __global float* out,
                        const int n, const int dim)
{
    const int i = (int) get_global_id(0);
    if (i < n * dim) {
        const int t = i / dim;
        const int j = i - t * dim;
        out[i] = table[(long) ids[t] * dim + j];
    }
}

/*
 * dTable[v, j] = sum of dOut[i, j] over i < n with ids[i] == v, in ascending i: one work-item per
 * (v, j) scanning every id, so the sums are deterministic without atomics (and match the CPU's
 * order). The ids it reads are the same for a whole work-group, so they come from cache.
 */
__kernel void embedding_backward(__global const float* dOut, __global const float* ids, __global float* dTable,
                                 const int n, const int dim, const int vocab)
{
    const int i = (int) get_global_id(0);
    if (i < vocab * dim) {
        const int v = i / dim;
        const int j = i - v * dim;
        float acc = 0.0f;
        for (int t = 0; t < n; t++) {
            if ((int) ids[t] == v) {
                acc += dOut[(long) t * dim + j];
            }
        }
        dTable[i] = acc;
    }
}
