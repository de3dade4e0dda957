package dev.myelin.backend.cuda;

import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

/** {@link DeviceMemory} on a real device: cuMemAlloc / cuMemFree in the backend's context. */
final class DriverMemory implements DeviceMemory<CUdeviceptr> {
    private final CudaDevice device;
    private final CUstream stream;

    DriverMemory(CudaDevice device, CUstream stream) {
        this.device = device;
        this.stream = stream;
    }

    @Override
    public CUdeviceptr allocate(long bytes) {
        CUdeviceptr ptr = new CUdeviceptr();
        int result = cuMemAlloc(ptr, bytes);
        if (result == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
            return null;
        }
        CudaErrors.check(result, "cuMemAlloc(" + bytes + " bytes)");
        return ptr;
    }

    @Override
    public void free(CUdeviceptr block) {
        CudaErrors.check(cuMemFree(block), "cuMemFree");
    }

    @Override
    public void synchronize() {
        CudaErrors.checkSync(cuStreamSynchronize(stream), "cuStreamSynchronize");
    }

    @Override
    public long[] freeAndTotal() {
        long[] free = new long[1];
        long[] total = new long[1];
        if (cuMemGetInfo(free, total) != CUresult.CUDA_SUCCESS) {
            return new long[]{-1, device.totalMemory()};
        }
        return new long[]{free[0], total[0]};
    }

    @Override
    public String deviceName() {
        return device.name();
    }
}
