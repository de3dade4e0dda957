package dev.myelin.backend.cuda;

import dev.myelin.backend.BackendException;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;

import java.util.EnumMap;
import java.util.Map;

import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

/**
 * The kernels module in the current context: the packaged fatbin (SASS for the common GPUs, the
 * driver picks the matching one), else the compute_75 PTX, which the driver JIT-compiles for GPUs
 * the fatbin has no SASS for. Every {@link CudaKernel} is resolved at load, so a missing entry fails
 * when the backend opens, not at the first launch. No NVRTC at run time: nothing here needs
 * libnvrtc.
 */
final class CudaModule implements AutoCloseable {
    private final CUmodule module;
    private final Map<CudaKernel, CUfunction> functions;
    private final String origin;

    private CudaModule(CUmodule module, Map<CudaKernel, CUfunction> functions, String origin) {
        this.module = module;
        this.functions = functions;
        this.origin = origin;
    }

    /** Loads into the context current on this thread. */
    static CudaModule load(CudaDevice device) {
        CUmodule module = new CUmodule();
        int fromFatbin = cuModuleLoadData(module, KernelImage.fatbin());
        String origin;
        if (fromFatbin == CUresult.CUDA_SUCCESS) {
            int sass = KernelImage.sassFor(device.major(), device.minor());
            origin = sass > 0 ? "fatbin, sm_" + sass + " SASS" : "fatbin, compute_120 PTX (JIT)";
        } else {
            module = new CUmodule();
            int fromPtx = cuModuleLoadData(module, KernelImage.ptx());
            if (fromPtx != CUresult.CUDA_SUCCESS) {
                throw new BackendException("cuda: loading the kernels on " + device.name() + " (" + device.arch()
                        + ") failed: " + CudaErrors.name(fromFatbin) + " from the fatbin, " + CudaErrors.name(fromPtx)
                        + " from the PTX" + driverHint(device.driverVersion()));
            }
            origin = "compute_75 PTX (JIT; the fatbin failed with " + CudaErrors.name(fromFatbin) + ")";
        }
        Map<CudaKernel, CUfunction> functions = new EnumMap<>(CudaKernel.class);
        for (CudaKernel kernel : CudaKernel.values()) {
            CUfunction function = new CUfunction();
            int result = cuModuleGetFunction(function, module, kernel.entry());
            if (result != CUresult.CUDA_SUCCESS) {
                cuModuleUnload(module);
                throw new BackendException("cuda: kernel " + kernel.entry() + " is not in the packaged module: "
                        + CudaErrors.name(result) + " (stale native/prebuilt? rebuild with native/build-kernels.sh)");
            }
            functions.put(kernel, function);
        }
        return new CudaModule(module, functions, origin);
    }

    static String driverHint(int driverVersion) {
        return driverVersion > 0 && driverVersion < KernelImage.PTX_DRIVER
                ? " (the driver supports CUDA " + CudaErrors.cudaVersion(driverVersion)
                  + "; the kernels were built with CUDA 13.0: update to an R580+ driver)"
                : "";
    }

    CUfunction function(CudaKernel kernel) {
        return functions.get(kernel);
    }

    /** Where the code came from, for descriptions: "fatbin, sm_90 SASS". */
    String origin() {
        return origin;
    }

    @Override
    public void close() {
        cuModuleUnload(module);
    }
}
