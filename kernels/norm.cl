/*
 * Dropout with the counter-based device RNG, and batch normalisation.
 *
 * The RNG must match dev.myelin.backend.DeviceRandom bit for bit: two rounds of lowbias32 over the
 * element index and the two 32-bit halves of the seed, in unsigned 32-bit arithmetic.
 *
 * Batch norm runs one work-group per channel (local size a power of two <= NORM_GROUP_MAX): the
 * work-items stride over the channel's batch * spatial values, a tree in local memory combines them.
 * Launch: global (channels * L), local (L).
 */
#ifndef MYELIN_FN
#define MYELIN_FN static inline
#endif

#define NORM_GROUP_MAX 256

MYELIN_FN unsigned int myelin_mix32(unsigned int x)
{
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

MYELIN_FN float myelin_uniform(const unsigned int seedLo, const unsigned int seedHi, const unsigned int index)
{
    const unsigned int a = myelin_mix32(seedLo ^ (index * 0x9E3779B9u));
    const unsigned int b = myelin_mix32(a ^ seedHi);
    return (float) (b >> 8) * (1.0f / 16777216.0f);
}

/* mask[i] = uniform(seed, i) >= p ? scale : 0; y[i] = x[i] * mask[i]. y may be x. */
__kernel void dropout(__global const float* x, __global float* y, __global float* mask, const int n,
                      const float p, const float scale, const int seedLo, const int seedHi)
{
    const int i = (int) get_global_id(0);
    if (i < n) {
        const float m = myelin_uniform((unsigned int) seedLo, (unsigned int) seedHi, (unsigned int) i) >= p ? scale : 0.0f;
        mask[i] = m;
        y[i] = x[i] * m;
    }
}

/*
 * result = sum of value over the work-group, for every work-item; scratch is the kernel's __local array
 * (a macro because CUDA cannot take __shared__ pointers as parameters).
 */
#define NORM_GROUP_SUM(result, value)                              \
    do {                                                           \
        scratch[lid] = (value);                                    \
        barrier(CLK_LOCAL_MEM_FENCE);                              \
        for (int s_ = size >> 1; s_ > 0; s_ >>= 1) {               \
            if (lid < s_) {                                        \
                scratch[lid] += scratch[lid + s_];                 \
            }                                                      \
            barrier(CLK_LOCAL_MEM_FENCE);                          \
        }                                                          \
        (result) = scratch[0];                                     \
        barrier(CLK_LOCAL_MEM_FENCE);                              \
    } while (0)

__kernel void batch_norm(__global const float* x, __global const float* gamma, __global const float* beta,
                         __global float* y, __global float* saveMean, __global float* saveInvStd,
                         __global float* runningMean, __global float* runningVar, const int hasRunning,
                         const int N, const int C, const int S, const int training, const float momentum,
                         const float eps)
{
    __local float scratch[NORM_GROUP_MAX];
    const int lid = (int) get_local_id(0);
    const int size = (int) get_local_size(0);
    const int c = (int) get_group_id(0);
    const int m = N * S;
    /* Barriers stay outside every branch (PoCL needs each barrier in straight-line kernel code). */
    float acc = 0.0f;
    if (training) {
        for (int t = lid; t < m; t += size) {
            const int n = t / S;
            acc += x[(n * C + c) * S + (t - n * S)];
        }
    }
    float sum;
    NORM_GROUP_SUM(sum, acc);
    const float mean = training ? sum / (float) m : runningMean[c];
    acc = 0.0f;
    if (training) {
        for (int t = lid; t < m; t += size) {
            const int n = t / S;
            const float d = x[(n * C + c) * S + (t - n * S)] - mean;
            acc += d * d;
        }
    }
    float sq;
    NORM_GROUP_SUM(sq, acc);
    const float var = sq / (float) m;
    const float invStd = training ? 1.0f / sqrt(var + eps) : 1.0f / sqrt(runningVar[c] + eps);
    if (training && lid == 0) {
        saveMean[c] = mean;
        saveInvStd[c] = invStd;
        if (hasRunning) {
            const float unbiased = m > 1 ? sq / (float) (m - 1) : var;
            runningMean[c] = (1.0f - momentum) * runningMean[c] + momentum * mean;
            runningVar[c] = (1.0f - momentum) * runningVar[c] + momentum * unbiased;
        }
    }
    const float a = invStd * gamma[c];
    const float b = beta[c] - mean * a;
    for (int t = lid; t < m; t += size) {
        const int n = t / S;
        const int at = (n * C + c) * S + (t - n * S);
        y[at] = x[at] * a + b;
    }
}

__kernel void batch_norm_backward(__global const float* x, __global const float* dy, __global const float* gamma,
                                  __global const float* saveMean, __global const float* saveInvStd,
                                  __global float* dx, __global float* dgamma, __global float* dbeta,
                                  const int wantDx, const int wantParams, const int N, const int C, const int S)
{
    __local float scratch[NORM_GROUP_MAX];
    const int lid = (int) get_local_id(0);
    const int size = (int) get_local_size(0);
    const int c = (int) get_group_id(0);
    const int m = N * S;
    const float mean = saveMean[c];
    const float invStd = saveInvStd[c];
    float accDy = 0.0f;
    float accDyXhat = 0.0f;
    for (int t = lid; t < m; t += size) {
        const int n = t / S;
        const int at = (n * C + c) * S + (t - n * S);
        const float d = dy[at];
        accDy += d;
        accDyXhat += d * (x[at] - mean) * invStd;
    }
    float db;
    float dg;
    NORM_GROUP_SUM(db, accDy);
    NORM_GROUP_SUM(dg, accDyXhat);
    if (lid == 0 && wantParams) {
        dbeta[c] = db;
        dgamma[c] = dg;
    }
    if (wantDx) {
        const float k = gamma[c] * invStd / (float) m;
        for (int t = lid; t < m; t += size) {
            const int n = t / S;
            const int at = (n * C + c) * S + (t - n * S);
            const float xhat = (x[at] - mean) * invStd;
            dx[at] = k * ((float) m * dy[at] - db - xhat * dg);
        }
    }
}
