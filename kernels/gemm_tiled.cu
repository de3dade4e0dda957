/*
 * Myelin's own SGEMM for CUDA, used when cuBLAS (libcublas.so.12, which JCublas 12.6 links) cannot be
 * loaded, e.g. on a machine with only CUDA 13 libraries. CUDA only: it is compiled by
 * native/build-kernels.sh into the same module as the shared OpenCL C kernels.
 *
 * Row-major, as the Backend contract: C = alpha * op(A) * op(B) + beta * C, op(A) [m, k], op(B) [k, n],
 * A stored [m, k] or (transA) [k, m], B stored [k, n] or (transB) [n, k]. beta == 0 never reads C.
 *
 * One block of 256 threads computes a BM x BN tile of C, each thread a TM x TN register tile, stepping
 * through k in BK-wide slabs staged in shared memory as As[BK][BM] and Bs[BK][BN] (k-major, so the
 * inner product loop reads both with float4). Global loads go along the operand's contiguous
 * dimension with float4 where the row stride and the address allow it, scalar with bounds checks at
 * the edges, so any m, n, k works. Two tile shapes, chosen by the host (LaunchDims.gemm):
 *   gemm_tiled_128_*: 128x128 tile, 8x8 per thread, BK 8   - large products
 *   gemm_tiled_64_*:  64x64 tile,   4x4 per thread, BK 16  - smaller ones, so that enough blocks
 *                                                             exist to fill every SM
 * and four transpose variants each (_nn, _nt, _tn, _tt = transA, transB), so that the loads are
 * resolved at compile time. Launch: grid (ceil(n / BN), ceil(m / BM)), block (256), no dynamic shared
 * memory. gemm_tiled_batched_* (at the end) run the same tiles over a batch. Keep these names in step
 * with dev.myelin.backend.cuda.CudaKernel.
 */
#define GEMM_THREADS 256

/*
 * Loads the BK x ROWS slab S[kk][r] = element (r0 + r, t + kk) of an operand whose element (r, kk)
 * lives at p[r * ld + kk] (KCONTIG, contiguous along k) or p[kk * ld + r] (contiguous along r).
 * Rows at or beyond R and k at or beyond K read as 0, so partial tiles need no special case later.
 */
template <int ROWS, int BK, bool KCONTIG>
static __device__ __forceinline__ void gemm_load_slab(float (*S)[ROWS + 4], const float* __restrict__ p,
                                                      int ld, int r0, int R, int t, int K, bool vec, int tid)
{
    if (KCONTIG) {
        /* float4 runs along k: ROWS rows of BK / 4 vectors. */
        for (int s = tid; s < ROWS * BK / 4; s += GEMM_THREADS) {
            const int r = s / (BK / 4);
            const int kq = (s % (BK / 4)) * 4;
            const int gr = r0 + r;
            const int gk = t + kq;
            float v0 = 0.0f, v1 = 0.0f, v2 = 0.0f, v3 = 0.0f;
            if (gr < R) {
                const float* q = p + (size_t) gr * ld + gk;
                if (vec && gk + 3 < K) {
                    const float4 v = *reinterpret_cast<const float4*>(q);
                    v0 = v.x; v1 = v.y; v2 = v.z; v3 = v.w;
                } else {
                    if (gk < K) v0 = q[0];
                    if (gk + 1 < K) v1 = q[1];
                    if (gk + 2 < K) v2 = q[2];
                    if (gk + 3 < K) v3 = q[3];
                }
            }
            S[kq][r] = v0;
            S[kq + 1][r] = v1;
            S[kq + 2][r] = v2;
            S[kq + 3][r] = v3;
        }
    } else {
        /* float4 runs along r: BK rows of ROWS / 4 vectors, stored as they are. */
        for (int s = tid; s < ROWS * BK / 4; s += GEMM_THREADS) {
            const int kk = s / (ROWS / 4);
            const int rq = (s % (ROWS / 4)) * 4;
            const int gk = t + kk;
            const int gr = r0 + rq;
            float4 v = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
            if (gk < K) {
                const float* q = p + (size_t) gk * ld + gr;
                if (vec && gr + 3 < R) {
                    v = *reinterpret_cast<const float4*>(q);
                } else {
                    if (gr < R) v.x = q[0];
                    if (gr + 1 < R) v.y = q[1];
                    if (gr + 2 < R) v.z = q[2];
                    if (gr + 3 < R) v.w = q[3];
                }
            }
            *reinterpret_cast<float4*>(&S[kk][rq]) = v;
        }
    }
}

template <int BM, int BN, int BK, int TM, int TN, bool TA, bool TB>
static __device__ __forceinline__ void gemm_tiled(int m, int n, int k, float alpha,
                                                  const float* __restrict__ a, const float* __restrict__ b,
                                                  float beta, float* __restrict__ c)
{
    static_assert((BM / TM) * (BN / TN) == GEMM_THREADS, "one thread per register tile");
    static_assert(TM % 4 == 0 && TN % 4 == 0, "register tiles are read as float4");
    /* +4 keeps every row 16-byte aligned for float4 and staggers the banks of the transposed stores. */
    __shared__ __align__(16) float As[BK][BM + 4];
    __shared__ __align__(16) float Bs[BK][BN + 4];

    const int tid = threadIdx.x;
    const int tx = tid % (BN / TN);
    const int ty = tid / (BN / TN);
    const int row0 = blockIdx.y * BM;
    const int col0 = blockIdx.x * BN;

    /* op(A)(r, kk): A [m, k] is contiguous along k; A^T stored [k, m] is contiguous along r (m). */
    const int lda = TA ? m : k;
    /* op(B)(kk, col) seen as element (col, kk): B [k, n] is contiguous along col; B^T stored [n, k] along k. */
    const int ldb = TB ? k : n;
    /* cuMemAlloc aligns to 256 bytes; offsets are 0, but check anyway rather than fault. */
    const bool vecA = (lda % 4 == 0) && ((reinterpret_cast<size_t>(a) & 15) == 0);
    const bool vecB = (ldb % 4 == 0) && ((reinterpret_cast<size_t>(b) & 15) == 0);

    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; i++) {
#pragma unroll
        for (int j = 0; j < TN; j++) {
            acc[i][j] = 0.0f;
        }
    }

    for (int t = 0; t < k; t += BK) {
        gemm_load_slab<BM, BK, !TA>(As, a, lda, row0, m, t, k, vecA, tid);
        gemm_load_slab<BN, BK, TB>(Bs, b, ldb, col0, n, t, k, vecB, tid);
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < BK; kk++) {
            float ra[TM];
            float rb[TN];
#pragma unroll
            for (int i = 0; i < TM; i += 4) {
                const float4 v = *reinterpret_cast<const float4*>(&As[kk][ty * TM + i]);
                ra[i] = v.x; ra[i + 1] = v.y; ra[i + 2] = v.z; ra[i + 3] = v.w;
            }
#pragma unroll
            for (int j = 0; j < TN; j += 4) {
                const float4 v = *reinterpret_cast<const float4*>(&Bs[kk][tx * TN + j]);
                rb[j] = v.x; rb[j + 1] = v.y; rb[j + 2] = v.z; rb[j + 3] = v.w;
            }
#pragma unroll
            for (int i = 0; i < TM; i++) {
#pragma unroll
                for (int j = 0; j < TN; j++) {
                    acc[i][j] = fmaf(ra[i], rb[j], acc[i][j]);
                }
            }
        }
        __syncthreads();
    }

    const bool vecC = (n % 4 == 0) && ((reinterpret_cast<size_t>(c) & 15) == 0);
#pragma unroll
    for (int i = 0; i < TM; i++) {
        const int row = row0 + ty * TM + i;
        if (row >= m) {
            break;
        }
        float* crow = c + (size_t) row * n;
#pragma unroll
        for (int j = 0; j < TN; j += 4) {
            const int col = col0 + tx * TN + j;
            if (vecC && col + 3 < n) {
                float4 v = make_float4(alpha * acc[i][j], alpha * acc[i][j + 1], alpha * acc[i][j + 2], alpha * acc[i][j + 3]);
                if (beta != 0.0f) {
                    const float4 old = *reinterpret_cast<const float4*>(crow + col);
                    v.x += beta * old.x; v.y += beta * old.y; v.z += beta * old.z; v.w += beta * old.w;
                }
                *reinterpret_cast<float4*>(crow + col) = v;
            } else {
#pragma unroll
                for (int q = 0; q < 4; q++) {
                    if (col + q < n) {
                        /* beta == 0 must not read C: it may hold NaN or the allocator's garbage. */
                        crow[col + q] = beta == 0.0f ? alpha * acc[i][j + q] : alpha * acc[i][j + q] + beta * crow[col + q];
                    }
                }
            }
        }
    }
}

#define MYELIN_GEMM_ENTRY(NAME, BM, BN, BK, TM, TN, TA, TB)                                              \
    extern "C" __global__ void __launch_bounds__(GEMM_THREADS)                                          \
    NAME(int m, int n, int k, float alpha, const float* a, const float* b, float beta, float* c)       \
    {                                                                                                  \
        gemm_tiled<BM, BN, BK, TM, TN, TA, TB>(m, n, k, alpha, a, b, beta, c);                          \
    }

MYELIN_GEMM_ENTRY(gemm_tiled_128_nn, 128, 128, 8, 8, 8, false, false)
MYELIN_GEMM_ENTRY(gemm_tiled_128_nt, 128, 128, 8, 8, 8, false, true)
MYELIN_GEMM_ENTRY(gemm_tiled_128_tn, 128, 128, 8, 8, 8, true, false)
MYELIN_GEMM_ENTRY(gemm_tiled_128_tt, 128, 128, 8, 8, 8, true, true)
MYELIN_GEMM_ENTRY(gemm_tiled_64_nn, 64, 64, 16, 4, 4, false, false)
MYELIN_GEMM_ENTRY(gemm_tiled_64_nt, 64, 64, 16, 4, 4, false, true)
MYELIN_GEMM_ENTRY(gemm_tiled_64_tn, 64, 64, 16, 4, 4, true, false)
MYELIN_GEMM_ENTRY(gemm_tiled_64_tt, 64, 64, 16, 4, 4, true, true)

/*
 * Batched: blockIdx.z is the batch index and operand X_z starts at element z * strideX of X (a stride
 * of 0 shares one operand across the batch). Launch: grid (ceil(n / BN), ceil(m / BM), batch), block
 * (256). Offsets that break 16-byte alignment send the loads down the scalar path (the vec checks).
 */
#define MYELIN_GEMM_BATCHED_ENTRY(NAME, BM, BN, BK, TM, TN, TA, TB)                                      \
    extern "C" __global__ void __launch_bounds__(GEMM_THREADS)                                          \
    NAME(int m, int n, int k, float alpha, const float* a, int strideA, const float* b, int strideB,  \
         float beta, float* c, int strideC)                                                            \
    {                                                                                                  \
        const size_t z = blockIdx.z;                                                                   \
        gemm_tiled<BM, BN, BK, TM, TN, TA, TB>(m, n, k, alpha, a + z * (size_t) strideA,                \
                                               b + z * (size_t) strideB, beta, c + z * (size_t) strideC); \
    }

MYELIN_GEMM_BATCHED_ENTRY(gemm_tiled_batched_128_nn, 128, 128, 8, 8, 8, false, false)
MYELIN_GEMM_BATCHED_ENTRY(gemm_tiled_batched_128_nt, 128, 128, 8, 8, 8, false, true)
MYELIN_GEMM_BATCHED_ENTRY(gemm_tiled_batched_128_tn, 128, 128, 8, 8, 8, true, false)
MYELIN_GEMM_BATCHED_ENTRY(gemm_tiled_batched_128_tt, 128, 128, 8, 8, 8, true, true)
MYELIN_GEMM_BATCHED_ENTRY(gemm_tiled_batched_64_nn, 64, 64, 16, 4, 4, false, false)
MYELIN_GEMM_BATCHED_ENTRY(gemm_tiled_batched_64_nt, 64, 64, 16, 4, 4, false, true)
MYELIN_GEMM_BATCHED_ENTRY(gemm_tiled_batched_64_tn, 64, 64, 16, 4, 4, true, false)
MYELIN_GEMM_BATCHED_ENTRY(gemm_tiled_batched_64_tt, 64, 64, 16, 4, 4, true, true)
