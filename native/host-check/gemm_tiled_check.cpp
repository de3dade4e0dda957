// Runs kernels/gemm_tiled.cu on the host (cuda_host_emulation.h) against a double-precision reference
// for every entry point, with shapes that hit full tiles, ragged edges, unaligned rows (n, k not
// multiples of 4), k = 0, beta == 0 over NaN and beta != 0. Grid dims as the Java side computes them
// (LaunchDims.gemm): (ceil(n / tile), ceil(m / tile)), 256 threads; the batched entries with the batch
// on the grid's z (LaunchDims.gemmBatched).
#include "cuda_host_emulation.h"
#include "../../kernels/gemm_tiled.cu"
#include <cstdio>
#include <random>

using Kernel = void (*)(int, int, int, float, const float*, const float*, float, float*);

struct Entry { const char* name; Kernel kernel; int tile; bool ta, tb; };

int main() {
    const Entry entries[] = {
        {"gemm_tiled_128_nn", gemm_tiled_128_nn, 128, false, false}, {"gemm_tiled_128_nt", gemm_tiled_128_nt, 128, false, true},
        {"gemm_tiled_128_tn", gemm_tiled_128_tn, 128, true, false},  {"gemm_tiled_128_tt", gemm_tiled_128_tt, 128, true, true},
        {"gemm_tiled_64_nn", gemm_tiled_64_nn, 64, false, false},    {"gemm_tiled_64_nt", gemm_tiled_64_nt, 64, false, true},
        {"gemm_tiled_64_tn", gemm_tiled_64_tn, 64, true, false},     {"gemm_tiled_64_tt", gemm_tiled_64_tt, 64, true, true},
    };
    const int shapes[][3] = {{1, 1, 1}, {7, 5, 3}, {64, 64, 16}, {128, 128, 8}, {130, 67, 37}, {33, 129, 20}, {5, 9, 0}, {96, 40, 64}};
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    int failures = 0, checks = 0;
    for (const Entry& e : entries) {
        for (const auto& s : shapes) {
            const int m = s[0], n = s[1], k = s[2];
            for (float beta : {0.0f, 0.5f}) {
                const float alpha = 1.25f;
                std::vector<float> a((size_t) m * k), b((size_t) k * n), c((size_t) m * n), c0;
                for (auto& v : a) v = dist(rng);
                for (auto& v : b) v = dist(rng);
                for (auto& v : c) v = beta == 0.0f ? NAN : dist(rng);
                c0 = c;
                emulate_launch((unsigned) ((n + e.tile - 1) / e.tile), (unsigned) ((m + e.tile - 1) / e.tile), 256u,
                               e.kernel, m, n, k, alpha, (const float*) a.data(), (const float*) b.data(), beta, c.data());
                double worst = 0;
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double acc = 0;
                        for (int p = 0; p < k; p++) {
                            const double av = e.ta ? a[(size_t) p * m + i] : a[(size_t) i * k + p];
                            const double bv = e.tb ? b[(size_t) j * k + p] : b[(size_t) p * n + j];
                            acc += av * bv;
                        }
                        double want = alpha * acc + (beta == 0.0f ? 0.0 : beta * c0[(size_t) i * n + j]);
                        double got = c[(size_t) i * n + j];
                        double err = std::fabs(got - want);
                        if (!(err <= 1e-4 * (1 + std::fabs(want)))) worst = std::isnan(got) ? INFINITY : std::max(worst, err);
                    }
                }
                checks++;
                if (worst > 0) {
                    failures++;
                    std::printf("FAIL %s m=%d n=%d k=%d beta=%g: worst error %g\n", e.name, m, n, k, beta, worst);
                }
            }
        }
    }
    // The batched entries: 3 matrices on the grid's z, strides with a gap of 3 floats (unaligned starts,
    // so the float4 paths must step aside) or 0 (A shared across the batch).
    using Batched = void (*)(int, int, int, float, const float*, int, const float*, int, float, float*, int);
    struct BatchedEntry { const char* name; Batched kernel; int tile; bool ta, tb; };
    const BatchedEntry batchedEntries[] = {
        {"gemm_tiled_batched_128_nn", gemm_tiled_batched_128_nn, 128, false, false},
        {"gemm_tiled_batched_128_nt", gemm_tiled_batched_128_nt, 128, false, true},
        {"gemm_tiled_batched_128_tn", gemm_tiled_batched_128_tn, 128, true, false},
        {"gemm_tiled_batched_128_tt", gemm_tiled_batched_128_tt, 128, true, true},
        {"gemm_tiled_batched_64_nn", gemm_tiled_batched_64_nn, 64, false, false},
        {"gemm_tiled_batched_64_nt", gemm_tiled_batched_64_nt, 64, false, true},
        {"gemm_tiled_batched_64_tn", gemm_tiled_batched_64_tn, 64, true, false},
        {"gemm_tiled_batched_64_tt", gemm_tiled_batched_64_tt, 64, true, true},
    };
    const int batchedShapes[][3] = {{1, 1, 1}, {33, 20, 17}, {64, 64, 16}, {70, 130, 9}};
    for (const BatchedEntry& e : batchedEntries) {
        for (const auto& s : batchedShapes) {
            for (bool shareA : {false, true}) {
                const int m = s[0], n = s[1], k = s[2], batch = 3;
                const int sa = shareA ? 0 : m * k + 3, sb = k * n + 3, sc = m * n + 3;
                const float alpha = 0.75f, beta = shareA ? 0.0f : 0.5f;
                std::vector<float> a((size_t) sa * (batch - 1) + m * k), b((size_t) sb * (batch - 1) + k * n), c((size_t) sc * batch), c0;
                for (auto& v : a) v = dist(rng);
                for (auto& v : b) v = dist(rng);
                for (auto& v : c) v = beta == 0.0f ? NAN : dist(rng);
                c0 = c;
                emulate_launch_z((unsigned) ((n + e.tile - 1) / e.tile), (unsigned) ((m + e.tile - 1) / e.tile), (unsigned) batch, 256u,
                                 e.kernel, m, n, k, alpha, (const float*) a.data(), sa, (const float*) b.data(), sb, beta, c.data(), sc);
                double worst = 0;
                for (int z = 0; z < batch; z++) {
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double acc = 0;
                            for (int p = 0; p < k; p++) {
                                const double av = e.ta ? a[(size_t) z * sa + p * m + i] : a[(size_t) z * sa + i * k + p];
                                const double bv = e.tb ? b[(size_t) z * sb + j * k + p] : b[(size_t) z * sb + p * n + j];
                                acc += av * bv;
                            }
                            const size_t at = (size_t) z * sc + i * n + j;
                            const double want = alpha * acc + (beta == 0.0f ? 0.0 : beta * c0[at]);
                            const double err = std::fabs(c[at] - want);
                            if (!(err <= 1e-4 * (1 + std::fabs(want)))) worst = std::isnan(c[at]) ? INFINITY : std::max(worst, err);
                        }
                    }
                }
                checks++;
                if (worst > 0) {
                    failures++;
                    std::printf("FAIL %s m=%d n=%d k=%d shareA=%d: worst error %g\n", e.name, m, n, k, shareA, worst);
                }
            }
        }
    }
    std::printf("gemm_tiled host check: %d of %d cases passed\n", checks - failures, checks);
    return failures == 0 ? 0 : 1;
}
