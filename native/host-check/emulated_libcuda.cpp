/*
 * A libcuda.so.1 that runs Myelin's CUDA module on the host: the probe's calls from fake_libcuda.c,
 * plus memory (host malloc standing in for device memory), copies, memset and cuLaunchKernel, which
 * runs the kernel's C++ build (the same kernels/ sources, through cuda_preamble.h) under
 * cuda_host_emulation.h with the grid and block the backend asked for. With it on LD_LIBRARY_PATH,
 * the CUDA backend's own Java code (allocator, staging, argument packing, launch dims, the tiled
 * GEMM; cuBLAS is absent) runs the conformance suite on a machine without a GPU:
 *   native/host-check/emulated-conformance.sh
 * Everything is synchronous here, so this checks results, not asynchrony or speed.
 * Build: g++ -std=c++20 -O1 -shared -fPIC -o libcuda.so.1 emulated_libcuda.cpp
 */
#include "cuda_host_emulation.h"
#include "../../kernels/cuda_preamble.h"
#include "../../kernels/elementwise.cl"
#include "../../kernels/reduce.cl"
#include "../../kernels/softmax.cl"
#include "../../kernels/optim.cl"
#include "../../kernels/conv.cl"
#include "../../kernels/norm.cl"
#include "../../kernels/sequence.cl"
#include "../../kernels/recurrent.cl"
#include "../../kernels/gemm_tiled.cu"
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

#define FAKE_CUDA_EMULATED_FUNCTIONS
extern "C" {
#include "fake_libcuda.c"
}

typedef unsigned long long CUdeviceptr_t;
typedef void* CUstream_t;

template <typename T> static T arg(void** params, int i) { return *static_cast<T*>(params[i]); }

using Invoker = void (*)(unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p);
#define GEMM_INVOKER(NAME) {#NAME, [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) { \
    emulate_launch_z(gx, gy, gz, bx, NAME, arg<int>(p, 0), arg<int>(p, 1), arg<int>(p, 2), arg<float>(p, 3), \
                   arg<const float*>(p, 4), arg<const float*>(p, 5), arg<float>(p, 6), arg<float*>(p, 7)); }}

/* The batched entries: m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC over the grid's z. */
#define GEMM_BATCHED_INVOKER(NAME) {#NAME, [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) { \
    emulate_launch_z(gx, gy, gz, bx, NAME, arg<int>(p, 0), arg<int>(p, 1), arg<int>(p, 2), arg<float>(p, 3), \
                     arg<const float*>(p, 4), arg<int>(p, 5), arg<const float*>(p, 6), arg<int>(p, 7), arg<float>(p, 8), \
                     arg<float*>(p, 9), arg<int>(p, 10)); }}
#define P(i) arg<float*>(p, i)
#define CP(i) arg<const float*>(p, i)
#define I(i) arg<int>(p, i)
#define F(i) arg<float>(p, i)
/* A kernel whose parameters the following list spells, with the macros above. */
#define SEQ_INVOKER(NAME, ...) {#NAME, [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) { \
    emulate_launch_z(gx, gy, gz, bx, NAME, __VA_ARGS__); }}

/* im2col and col2im: in, out, then C, H, W, k, s, pad, OH, OW, n0, nb. */
#define CONV_GEOMETRY_INVOKER(NAME, IN, OUT) {#NAME, [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) { \
    emulate_launch_z(gx, gy, gz, bx, NAME, arg<IN>(p, 0), arg<OUT>(p, 1), arg<int>(p, 2), arg<int>(p, 3), arg<int>(p, 4), \
                   arg<int>(p, 5), arg<int>(p, 6), arg<int>(p, 7), arg<int>(p, 8), arg<int>(p, 9), arg<int>(p, 10), \
                   arg<int>(p, 11)); }}
/* The pooling kernels' trailing H, W, k, s, pad, OH, OW, total from parameter I on. */
#define POOL_ARGS(p, I) arg<int>(p, I), arg<int>(p, I + 1), arg<int>(p, I + 2), arg<int>(p, I + 3), arg<int>(p, I + 4), \
    arg<int>(p, I + 5), arg<int>(p, I + 6), arg<int>(p, I + 7)

static const std::map<std::string, Invoker>& kernels() {
    static const std::map<std::string, Invoker> table = {
        {"unary_op", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, unary_op, arg<int>(p, 0), arg<const float*>(p, 1), arg<float*>(p, 2), arg<int>(p, 3)); }},
        {"binary_op", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, binary_op, arg<int>(p, 0), arg<const float*>(p, 1), arg<const float*>(p, 2),
                           arg<float*>(p, 3), arg<int>(p, 4), arg<int>(p, 5), arg<int>(p, 6)); }},
        {"axpby", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, axpby, arg<float>(p, 0), arg<const float*>(p, 1), arg<float>(p, 2), arg<float*>(p, 3),
                           arg<int>(p, 4)); }},
        {"bias_activation", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, bias_activation, arg<const float*>(p, 0), arg<const float*>(p, 1), arg<int>(p, 2),
                           arg<int>(p, 3), arg<float*>(p, 4), arg<int>(p, 5), arg<int>(p, 6)); }},
        {"activation_backward", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, activation_backward, arg<int>(p, 0), arg<const float*>(p, 1), arg<const float*>(p, 2),
                           arg<float*>(p, 3), arg<int>(p, 4)); }},
        {"reduce_rows", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, reduce_rows, arg<int>(p, 0), arg<const float*>(p, 1), arg<float*>(p, 2), arg<int>(p, 3),
                           arg<int>(p, 4)); }},
        {"reduce_cols", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, reduce_cols, arg<int>(p, 0), arg<const float*>(p, 1), arg<float*>(p, 2), arg<int>(p, 3),
                           arg<int>(p, 4)); }},
        {"argmax_rows", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, argmax_rows, arg<const float*>(p, 0), arg<float*>(p, 1), arg<int>(p, 2), arg<int>(p, 3)); }},
        {"softmax_rows", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, softmax_rows, arg<const float*>(p, 0), arg<float*>(p, 1), arg<int>(p, 2), arg<int>(p, 3)); }},
        {"softmax_xent", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, softmax_xent, arg<const float*>(p, 0), arg<const float*>(p, 1), arg<float*>(p, 2),
                           arg<float*>(p, 3), arg<int>(p, 4), arg<int>(p, 5)); }},
        {"softmax_xent_backward", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, softmax_xent_backward, arg<const float*>(p, 0), arg<const float*>(p, 1), arg<float*>(p, 2),
                           arg<int>(p, 3), arg<int>(p, 4), arg<float>(p, 5)); }},
        {"sgd_update", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, sgd_update, arg<float*>(p, 0), arg<const float*>(p, 1), arg<float*>(p, 2), arg<int>(p, 3),
                           arg<float>(p, 4), arg<float>(p, 5), arg<float>(p, 6), arg<int>(p, 7)); }},
        {"adam_update", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, adam_update, arg<float*>(p, 0), arg<const float*>(p, 1), arg<float*>(p, 2), arg<float*>(p, 3),
                           arg<int>(p, 4), arg<float>(p, 5), arg<float>(p, 6), arg<float>(p, 7), arg<float>(p, 8), arg<float>(p, 9),
                           arg<int>(p, 10), arg<float>(p, 11), arg<float>(p, 12)); }},
        {"adadelta_update", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, adadelta_update, arg<float*>(p, 0), arg<const float*>(p, 1), arg<float*>(p, 2),
                           arg<float*>(p, 3), arg<int>(p, 4), arg<float>(p, 5), arg<float>(p, 6), arg<float>(p, 7),
                           arg<float>(p, 8)); }},
        CONV_GEOMETRY_INVOKER(im2col, const float*, float*), CONV_GEOMETRY_INVOKER(col2im, const float*, float*),
        {"conv_output", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, conv_output, arg<const float*>(p, 0), arg<const float*>(p, 1), arg<int>(p, 2),
                           arg<int>(p, 3), arg<float*>(p, 4), arg<int>(p, 5), arg<int>(p, 6), arg<int>(p, 7), arg<int>(p, 8)); }},
        {"conv_gather_dy", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, conv_gather_dy, arg<const float*>(p, 0), arg<float*>(p, 1), arg<int>(p, 2),
                           arg<int>(p, 3), arg<int>(p, 4), arg<int>(p, 5)); }},
        {"conv_bias_grad", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, conv_bias_grad, arg<const float*>(p, 0), arg<float*>(p, 1), arg<int>(p, 2),
                           arg<int>(p, 3), arg<int>(p, 4)); }},
        {"max_pool2d", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, max_pool2d, arg<const float*>(p, 0), arg<float*>(p, 1), arg<float*>(p, 2),
                           arg<int>(p, 3), POOL_ARGS(p, 4)); }},
        {"max_pool2d_backward", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, max_pool2d_backward, arg<const float*>(p, 0), arg<const float*>(p, 1),
                           arg<float*>(p, 2), POOL_ARGS(p, 3)); }},
        {"avg_pool2d", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, avg_pool2d, arg<const float*>(p, 0), arg<float*>(p, 1), POOL_ARGS(p, 2)); }},
        {"avg_pool2d_backward", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, avg_pool2d_backward, arg<const float*>(p, 0), arg<float*>(p, 1), POOL_ARGS(p, 2)); }},
        {"dropout", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, dropout, arg<const float*>(p, 0), arg<float*>(p, 1), arg<float*>(p, 2), arg<int>(p, 3),
                           arg<float>(p, 4), arg<float>(p, 5), arg<int>(p, 6), arg<int>(p, 7)); }},
        {"batch_norm", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, batch_norm, arg<const float*>(p, 0), arg<const float*>(p, 1), arg<const float*>(p, 2),
                           arg<float*>(p, 3), arg<float*>(p, 4), arg<float*>(p, 5), arg<float*>(p, 6), arg<float*>(p, 7),
                           arg<int>(p, 8), arg<int>(p, 9), arg<int>(p, 10), arg<int>(p, 11), arg<int>(p, 12),
                           arg<float>(p, 13), arg<float>(p, 14)); }},
        {"batch_norm_backward", [](unsigned gx, unsigned gy, unsigned gz, unsigned bx, void** p) {
            emulate_launch_z(gx, gy, gz, bx, batch_norm_backward, arg<const float*>(p, 0), arg<const float*>(p, 1),
                           arg<const float*>(p, 2), arg<const float*>(p, 3), arg<const float*>(p, 4), arg<float*>(p, 5),
                           arg<float*>(p, 6), arg<float*>(p, 7), arg<int>(p, 8), arg<int>(p, 9), arg<int>(p, 10),
                           arg<int>(p, 11), arg<int>(p, 12)); }},
        GEMM_INVOKER(gemm_tiled_128_nn), GEMM_INVOKER(gemm_tiled_128_nt), GEMM_INVOKER(gemm_tiled_128_tn), GEMM_INVOKER(gemm_tiled_128_tt),
        GEMM_INVOKER(gemm_tiled_64_nn), GEMM_INVOKER(gemm_tiled_64_nt), GEMM_INVOKER(gemm_tiled_64_tn), GEMM_INVOKER(gemm_tiled_64_tt),
        GEMM_BATCHED_INVOKER(gemm_tiled_batched_128_nn), GEMM_BATCHED_INVOKER(gemm_tiled_batched_128_nt),
        GEMM_BATCHED_INVOKER(gemm_tiled_batched_128_tn), GEMM_BATCHED_INVOKER(gemm_tiled_batched_128_tt),
        GEMM_BATCHED_INVOKER(gemm_tiled_batched_64_nn), GEMM_BATCHED_INVOKER(gemm_tiled_batched_64_nt),
        GEMM_BATCHED_INVOKER(gemm_tiled_batched_64_tn), GEMM_BATCHED_INVOKER(gemm_tiled_batched_64_tt),
        SEQ_INVOKER(unary_backward, I(0), CP(1), CP(2), P(3), I(4)),
        SEQ_INVOKER(copy_strided, CP(0), I(1), I(2), I(3), P(4), I(5), I(6), I(7), I(8), I(9), I(10), I(11)),
        SEQ_INVOKER(causal_softmax, CP(0), P(1), I(2), I(3), F(4)),
        SEQ_INVOKER(softmax_backward, CP(0), CP(1), P(2), I(3), I(4), F(5)),
        SEQ_INVOKER(layer_norm, CP(0), CP(1), CP(2), P(3), P(4), P(5), I(6), I(7), I(8), F(9)),
        SEQ_INVOKER(layer_norm_backward, CP(0), CP(1), CP(2), CP(3), CP(4), P(5), I(6), I(7)),
        SEQ_INVOKER(layer_norm_params_partial, CP(0), CP(1), CP(2), CP(3), P(4), I(5), I(6), I(7)),
        SEQ_INVOKER(layer_norm_params_sum, CP(0), P(1), P(2), I(3), I(4), I(5)),
        SEQ_INVOKER(embedding, CP(0), CP(1), P(2), I(3), I(4)),
        SEQ_INVOKER(embedding_backward, CP(0), CP(1), P(2), I(3), I(4), I(5)),
        SEQ_INVOKER(lstm_cell, P(0), CP(1), P(2), P(3), I(4), I(5)),
        SEQ_INVOKER(lstm_cell_backward, CP(0), CP(1), CP(2), CP(3), CP(4), I(5), P(6), P(7), I(8), I(9)),
        SEQ_INVOKER(gru_cell, CP(0), CP(1), CP(2), P(3), P(4), I(5), I(6)),
        SEQ_INVOKER(gru_cell_backward, CP(0), CP(1), CP(2), CP(3), P(4), P(5), P(6), I(7), I(8)),
    };
    return table;
}

extern "C" {
// Functions are handles to their table entry; a name the table lacks is CUDA_ERROR_NOT_FOUND, as a real module would say.
CUresult cuModuleGetFunction_emulated(void** f, void* m, const char* name);

CUresult cuMemAlloc_v2(CUdeviceptr_t* ptr, size_t bytes) {
    void* p = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
    if (!p) return 2;   // CUDA_ERROR_OUT_OF_MEMORY
    *ptr = (CUdeviceptr_t) (uintptr_t) p;
    return 0;
}
CUresult cuMemFree_v2(CUdeviceptr_t ptr) { std::free((void*) (uintptr_t) ptr); return 0; }
CUresult cuMemAllocHost_v2(void** p, size_t bytes) { *p = std::malloc(bytes); return *p ? 0 : 2; }
CUresult cuMemFreeHost(void* p) { std::free(p); return 0; }
CUresult cuMemGetInfo_v2(size_t* free, size_t* total) { *free = (size_t) 8 << 30; *total = (size_t) 16 << 30; return 0; }
CUresult cuStreamCreate(CUstream_t* s, unsigned flags) { (void) flags; static int token; *s = &token; return 0; }
CUresult cuStreamSynchronize(CUstream_t s) { (void) s; return 0; }
CUresult cuStreamDestroy_v2(CUstream_t s) { (void) s; return 0; }
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr_t dst, const void* src, size_t bytes, CUstream_t s) {
    (void) s; std::memcpy((void*) (uintptr_t) dst, src, bytes); return 0;
}
CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr_t src, size_t bytes, CUstream_t s) {
    (void) s; std::memcpy(dst, (const void*) (uintptr_t) src, bytes); return 0;
}
CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr_t dst, CUdeviceptr_t src, size_t bytes, CUstream_t s) {
    (void) s; std::memmove((void*) (uintptr_t) dst, (const void*) (uintptr_t) src, bytes); return 0;
}
CUresult cuMemsetD32Async(CUdeviceptr_t dst, unsigned value, size_t n, CUstream_t s) {
    (void) s;
    unsigned* p = (unsigned*) (uintptr_t) dst;
    for (size_t i = 0; i < n; i++) p[i] = value;
    return 0;
}
CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shared, CUstream_t s, void** params, void** extra) {
    (void) s; (void) extra;
    static std::mutex one_launch_at_a_time;   // the emulation's state is global
    std::lock_guard<std::mutex> lock(one_launch_at_a_time);
    if (by != 1 || bz != 1 || shared != 0 || bx > 1024 || gy > 65535 || gz > 65535) return 1;   // CUDA_ERROR_INVALID_VALUE
    static_cast<const std::pair<const std::string, Invoker>*>(f)->second(gx, gy, gz, bx, params);
    return 0;
}
}

// Replaces fake_libcuda.c's cuModuleGetFunction, which accepts any name.
extern "C" CUresult cuModuleGetFunction_emulated(void** f, void* m, const char* name) {
    (void) m;
    auto it = kernels().find(name);
    if (it == kernels().end()) return 500;   // CUDA_ERROR_NOT_FOUND
    *f = (void*) &*it;
    return 0;
}
