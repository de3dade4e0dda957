/*
 * Just enough of CUDA to run a kernel on the host, so that the kernels can be checked on machines
 * without a GPU. Each CUDA thread of a block is a cooperative context (ucontext) on one OS thread;
 * __syncthreads() hands over to the next thread of the block, and a block resumes its threads round
 * after round until all have returned, which is exactly barrier semantics for kernels whose threads
 * all reach the same barriers (as CUDA requires). Blocks run one after another, which makes `static`
 * a faithful __shared__. This checks indexing, bounds, barriers and the transpose logic; it says
 * nothing about speed, memory ordering between blocks, or hardware faults (alignment, bank conflicts).
 */
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <vector>
#include <ucontext.h>

struct dim3_ { unsigned x = 0, y = 0, z = 0; };
inline dim3_ threadIdx, blockIdx, blockDim, gridDim;

/* CUDA's integer max/min device functions (kernels/conv.cl uses them). */
inline int max(int a, int b) { return a > b ? a : b; }
inline int min(int a, int b) { return a < b ? a : b; }

struct float4 { float x, y, z, w; };
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }

namespace emulation {
constexpr size_t STACK = 256 << 10;
inline ucontext_t scheduler;
inline std::vector<ucontext_t> contexts;
inline std::vector<char*> stacks;
inline std::vector<char> finished;
inline unsigned current = 0;
inline std::function<void()> body;

inline void run_thread() {
    body();
    finished[current] = 1;
    swapcontext(&contexts[current], &scheduler);
}

inline void sync_threads() { swapcontext(&contexts[current], &scheduler); }

/* Runs one block of `threads` threads of body() to completion. */
inline void run_block(unsigned threads) {
    while (stacks.size() < threads) stacks.push_back(static_cast<char*>(std::malloc(STACK)));
    contexts.assign(threads, ucontext_t{});
    finished.assign(threads, 0);
    for (unsigned t = 0; t < threads; t++) {
        getcontext(&contexts[t]);
        contexts[t].uc_stack.ss_sp = stacks[t];
        contexts[t].uc_stack.ss_size = STACK;
        contexts[t].uc_link = &scheduler;
        makecontext(&contexts[t], run_thread, 0);
    }
    for (unsigned left = threads; left > 0;) {
        left = 0;
        for (unsigned t = 0; t < threads; t++) {
            if (finished[t]) continue;
            current = t;
            threadIdx = {t, 0, 0};
            swapcontext(&scheduler, &contexts[t]);
            if (!finished[t]) left++;
        }
    }
}
}  // namespace emulation

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(n)
#define __align__(n) __attribute__((aligned(n)))
#define __syncthreads() emulation::sync_threads()

/* Runs kernel(args...) over a 3-D grid of 1-D blocks (z: the batch of the batched kernels). */
template <typename... Params, typename... Args>
void emulate_launch_z(unsigned gx, unsigned gy, unsigned gz, unsigned threads, void (*kernel)(Params...), Args... args) {
    gridDim = {gx, gy, gz};
    blockDim = {threads, 1, 1};
    emulation::body = [&] { kernel(args...); };
    for (unsigned bz = 0; bz < gz; bz++) {
        for (unsigned by = 0; by < gy; by++) {
            for (unsigned bx = 0; bx < gx; bx++) {
                blockIdx = {bx, by, bz};
                emulation::run_block(threads);
            }
        }
    }
}

/* Runs kernel(args...) over a 2-D grid of 1-D blocks (the shapes LaunchDims gives every other kernel). */
template <typename... Params, typename... Args>
void emulate_launch(unsigned gx, unsigned gy, unsigned threads, void (*kernel)(Params...), Args... args) {
    emulate_launch_z(gx, gy, 1, threads, kernel, args...);
}
