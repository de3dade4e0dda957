package dev.myelin.backend.cuda;

import dev.myelin.backend.DeviceInfo;
import jcuda.driver.CUdevice;

/** One CUDA device as discovery found it. */
record CudaDevice(int ordinal, CUdevice device, String name, int major, int minor, int smCount, long totalMemory,
                  int driverVersion) {
    String arch() {
        return "sm_" + major + minor;
    }

    DeviceInfo info() {
        return new DeviceInfo(name, "gpu", totalMemory, smCount,
                "CUDA device " + ordinal + ", " + arch() + ", driver for CUDA " + CudaErrors.cudaVersion(driverVersion));
    }
}
