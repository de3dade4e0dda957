/*
 * A stand-in libcuda.so.1 with just the driver calls the CUDA backend's probe makes, each answering
 * what the FAKE_CUDA_* environment variables say. JCuda binds driver functions lazily, so this is
 * enough for JCudaDriver to load and for the probe to walk every one of its paths on a machine
 * without a GPU (native/host-check/probe-paths.sh). It never runs a kernel.
 *   FAKE_CUDA_INIT      cuInit's CUresult (default 0)
 *   FAKE_CUDA_DRIVER    cuDriverGetVersion (default 13000)
 *   FAKE_CUDA_DEVICES   device count (default 1)
 *   FAKE_CUDA_CC        compute capability as major*10+minor (default 90)
 *   FAKE_CUDA_MODULE    cuModuleLoadData's CUresult (default 0)
 */
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef int CUdevice;
typedef void* CUcontext;
typedef void* CUmodule;
typedef void* CUfunction;

static int env(const char* name, int fallback) {
    const char* v = getenv(name);
    return v ? atoi(v) : fallback;
}

CUresult cuInit(unsigned flags) { (void) flags; return env("FAKE_CUDA_INIT", 0); }
CUresult cuDriverGetVersion(int* v) { *v = env("FAKE_CUDA_DRIVER", 13000); return 0; }
CUresult cuDeviceGetCount(int* n) { *n = env("FAKE_CUDA_DEVICES", 1); return 0; }
CUresult cuDeviceGet(CUdevice* d, int ordinal) { *d = ordinal; return 0; }
CUresult cuDeviceGetName(char* name, int len, CUdevice d) { (void) d; strncpy(name, "Fake GPU", (size_t) len); return 0; }
CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice d) { (void) d; *bytes = (size_t) 16 << 30; return 0; }
CUresult cuDeviceGetAttribute(int* value, int attribute, CUdevice d) {
    (void) d;
    int cc = env("FAKE_CUDA_CC", 90);
    switch (attribute) {
        case 75: *value = cc / 10; return 0;   /* CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR */
        case 76: *value = cc % 10; return 0;   /* CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR */
        case 16: *value = 100; return 0;       /* CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT */
        default: *value = 0; return 0;
    }
}
static int context_token;
CUresult cuDevicePrimaryCtxRetain(CUcontext* c, CUdevice d) { (void) d; *c = &context_token; return 0; }
CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) { (void) d; return 0; }
CUresult cuCtxSetCurrent(CUcontext c) { (void) c; return 0; }
static int module_token;
#ifndef FAKE_CUDA_EMULATED_FUNCTIONS
static int function_token;
#endif
CUresult cuModuleLoadData(CUmodule* m, const void* image) { (void) image; *m = &module_token; return env("FAKE_CUDA_MODULE", 0); }
CUresult cuModuleLoadDataEx(CUmodule* m, const void* image, unsigned n, void* o, void** v) {
    (void) n; (void) o; (void) v; return cuModuleLoadData(m, image);
}
#ifndef FAKE_CUDA_EMULATED_FUNCTIONS
CUresult cuModuleGetFunction(CUfunction* f, CUmodule m, const char* name) { (void) m; (void) name; *f = &function_token; return 0; }
#else
CUresult cuModuleGetFunction_emulated(void** f, void* m, const char* name);
CUresult cuModuleGetFunction(CUfunction* f, CUmodule m, const char* name) { return cuModuleGetFunction_emulated(f, m, name); }
#endif
CUresult cuModuleUnload(CUmodule m) { (void) m; return 0; }
CUresult cuGetErrorName(CUresult r, const char** s) { (void) r; *s = "CUDA_ERROR_FAKE"; return 0; }
