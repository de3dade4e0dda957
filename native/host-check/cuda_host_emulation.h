/*
 * Just enough of CUDA to run a kernel on the host, one std::thread per CUDA thread and a std::barrier
 * for __syncthreads(), so that the CUDA-only kernels (kernels/ *.cu) can be checked on machines
 * without a GPU. Blocks run one after another, which makes `static` a faithful __shared__.
 * This checks indexing, bounds and the transpose logic; it says nothing about speed or about
 * hardware-specific behaviour (alignment faults, bank conflicts).
 */
#pragma once
#include <barrier>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <functional>
#include <thread>
#include <vector>

struct dim3_ { unsigned x = 0, y = 0, z = 0; };
inline thread_local dim3_ threadIdx, blockIdx;
inline dim3_ blockDim, gridDim;
inline std::barrier<>* emulated_block_barrier = nullptr;

struct float4 { float x, y, z, w; };
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(n)
#define __align__(n) __attribute__((aligned(n)))
#define __syncthreads() emulated_block_barrier->arrive_and_wait()

/* Runs kernel(args...) over a 2-D grid of 1-D blocks (the shapes LaunchDims gives every kernel). */
template <typename... Params, typename... Args>
void emulate_launch(unsigned gx, unsigned gy, unsigned threads, void (*kernel)(Params...), Args... args) {
    gridDim = {gx, gy, 1};
    blockDim = {threads, 1, 1};
    for (unsigned by = 0; by < gy; by++) {
        for (unsigned bx = 0; bx < gx; bx++) {
            std::barrier<> sync(threads);
            emulated_block_barrier = &sync;
            std::vector<std::thread> pool;
            pool.reserve(threads);
            for (unsigned t = 0; t < threads; t++) {
                pool.emplace_back([=] {
                    threadIdx = {t, 0, 0};
                    blockIdx = {bx, by, 0};
                    kernel(args...);
                });
            }
            for (auto& th : pool) th.join();
        }
    }
}
