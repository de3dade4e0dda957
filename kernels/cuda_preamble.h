/*
 * Maps the OpenCL C names used by kernels/*.cl onto CUDA, so nvcc compiles the very same sources
 * (the way CLBlast serves both APIs from one source). Include this first, then the .cl files.
 * Keep the .cl files within what this header maps: no vector types, no __attribute__, no images,
 * helper functions marked MYELIN_FN, __local only on kernel-scope arrays (never on parameters).
 */
#ifndef MYELIN_CUDA_PREAMBLE_H
#define MYELIN_CUDA_PREAMBLE_H

#define __kernel extern "C" __global__
#define __global
#define __local __shared__
#define __constant const
#define CLK_LOCAL_MEM_FENCE 0
#define CLK_GLOBAL_MEM_FENCE 0
#define barrier(flags) __syncthreads()

/* Helpers: static inline in OpenCL, device functions here. */
#define MYELIN_FN static __device__ __forceinline__

static __device__ __forceinline__ size_t get_local_id(unsigned d) {
    return d == 0 ? threadIdx.x : d == 1 ? threadIdx.y : threadIdx.z;
}
static __device__ __forceinline__ size_t get_group_id(unsigned d) {
    return d == 0 ? blockIdx.x : d == 1 ? blockIdx.y : blockIdx.z;
}
static __device__ __forceinline__ size_t get_local_size(unsigned d) {
    return d == 0 ? blockDim.x : d == 1 ? blockDim.y : blockDim.z;
}
static __device__ __forceinline__ size_t get_num_groups(unsigned d) {
    return d == 0 ? gridDim.x : d == 1 ? gridDim.y : gridDim.z;
}
static __device__ __forceinline__ size_t get_global_id(unsigned d) {
    return get_group_id(d) * get_local_size(d) + get_local_id(d);
}
static __device__ __forceinline__ size_t get_global_size(unsigned d) {
    return get_num_groups(d) * get_local_size(d);
}

#ifndef INFINITY
#define INFINITY __int_as_float(0x7f800000)
#endif
#ifndef NAN
#define NAN __int_as_float(0x7fffffff)
#endif

#endif /* MYELIN_CUDA_PREAMBLE_H */
