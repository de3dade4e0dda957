/*
 * C = alpha * op(A) * op(B) + beta * C, row-major; op(A) is [m, k], op(B) is [k, n], C is [m, n].
 * A is stored [m, k] or (transA) [k, m]; B is stored [k, n] or (transB) [n, k].
 *
 * One 16x16 work-group computes one 16x16 tile of C, one element per work-item, stepping through k
 * in 16-wide slabs staged in local memory. Any m, n, k: out-of-range loads read 0, out-of-range
 * work-items store nothing. Launch: global (roundup(n,16), roundup(m,16)), local (16, 16).
 *
 * Loads are arranged so consecutive work-items (local id 0) read consecutive addresses for every
 * transpose combination; a transposed operand is written transposed into local memory instead.
 * The +1 column of padding keeps those transposed local writes free of bank conflicts on GPUs.
 *
 * gemm_batched runs the same tile over a batch: the NDRange's third dimension is the batch index z,
 * and operand X_z starts at element z * strideX (0 shares one operand). Launch: global
 * (roundup(n,16), roundup(m,16), batch), local (16, 16, 1).
 */
#ifndef MYELIN_FN
#define MYELIN_FN static inline
#endif

#ifndef GEMM_TILE
#define GEMM_TILE 16 /* the host may build with -DGEMM_TILE=8 for devices with small work-groups */
#endif

/*
 * The tile computation of both kernels over operands a, b, c already offset to their matrix, staging
 * through the kernel's __local arrays as[row][kk] = op(A)(row0 + row, t + kk) and
 * bs[kk][col] = op(B)(t + kk, col0 + col). A macro rather than a function: __local arrays must be
 * declared at kernel scope, and CUDA cannot take them as parameters.
 */
#define MYELIN_GEMM_LOCALS                          \
    __local float as[GEMM_TILE][GEMM_TILE + 1];     \
    __local float bs[GEMM_TILE][GEMM_TILE + 1];

#define MYELIN_GEMM_TILE_BODY(a, b, c)                                                             \
    {                                                                                              \
        const int lx = (int) get_local_id(0);                                                      \
        const int ly = (int) get_local_id(1);                                                      \
        const int row0 = (int) get_group_id(1) * GEMM_TILE;                                        \
        const int col0 = (int) get_group_id(0) * GEMM_TILE;                                        \
        const int row = row0 + ly;                                                                 \
        const int col = col0 + lx;                                                                 \
        float acc = 0.0f;                                                                          \
        for (int t = 0; t < k; t += GEMM_TILE) {                                                   \
            if (transA) {                                                                          \
                /* A is [k, m]: lx walks m, the contiguous dimension. */                           \
                const int r = row0 + lx;                                                           \
                const int kk = t + ly;                                                             \
                as[lx][ly] = (r < m && kk < k) ? a[kk * m + r] : 0.0f;                             \
            } else {                                                                               \
                const int kk = t + lx;                                                             \
                as[ly][lx] = (row < m && kk < k) ? a[row * k + kk] : 0.0f;                         \
            }                                                                                      \
            if (transB) {                                                                          \
                /* B is [n, k]: lx walks k, the contiguous dimension. */                           \
                const int cc = col0 + ly;                                                          \
                const int kk = t + lx;                                                             \
                bs[lx][ly] = (cc < n && kk < k) ? b[cc * k + kk] : 0.0f;                           \
            } else {                                                                               \
                const int kk = t + ly;                                                             \
                bs[ly][lx] = (kk < k && col < n) ? b[kk * n + col] : 0.0f;                         \
            }                                                                                      \
            barrier(CLK_LOCAL_MEM_FENCE);                                                          \
            for (int p = 0; p < GEMM_TILE; p++) {                                                  \
                acc += as[ly][p] * bs[p][lx];                                                      \
            }                                                                                      \
            barrier(CLK_LOCAL_MEM_FENCE);                                                          \
        }                                                                                          \
        if (row < m && col < n) {                                                                  \
            const int idx = row * n + col;                                                         \
            /* beta == 0 must not read C: it may hold NaN or garbage from the allocator. */        \
            c[idx] = beta == 0.0f ? alpha * acc : alpha * acc + beta * c[idx];                     \
        }                                                                                          \
    }

__kernel void gemm(const int transA, const int transB, const int m, const int n, const int k,
                   const float alpha, __global const float* a, __global const float* b,
                   const float beta, __global float* c)
{
    MYELIN_GEMM_LOCALS
    MYELIN_GEMM_TILE_BODY(a, b, c)
}

__kernel void gemm_batched(const int transA, const int transB, const int m, const int n, const int k,
                           const float alpha, __global const float* a, const int strideA,
                           __global const float* b, const int strideB, const float beta,
                           __global float* c, const int strideC)
{
    MYELIN_GEMM_LOCALS
    const long z = (long) get_group_id(2);
    __global const float* az = a + z * strideA;
    __global const float* bz = b + z * strideB;
    __global float* cz = c + z * strideC;
    MYELIN_GEMM_TILE_BODY(az, bz, cz)
}
