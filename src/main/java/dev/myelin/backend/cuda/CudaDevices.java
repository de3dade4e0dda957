package dev.myelin.backend.cuda;

import jcuda.driver.CUdevice;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;

/** Lists the CUDA devices; call only after {@link CudaLibrary#init()} succeeded. */
final class CudaDevices {
    private CudaDevices() {
    }

    static List<CudaDevice> enumerate(int driverVersion) {
        int[] count = new int[1];
        CudaErrors.check(cuDeviceGetCount(count), "cuDeviceGetCount");
        List<CudaDevice> devices = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            CUdevice device = new CUdevice();
            CudaErrors.check(cuDeviceGet(device, i), "cuDeviceGet(" + i + ")");
            byte[] name = new byte[256];
            CudaErrors.check(cuDeviceGetName(name, name.length, device), "cuDeviceGetName(" + i + ")");
            long[] memory = new long[1];
            CudaErrors.check(cuDeviceTotalMem(memory, device), "cuDeviceTotalMem(" + i + ")");
            devices.add(new CudaDevice(i, device, cString(name),
                    attribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                    attribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
                    attribute(device, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT),
                    memory[0], driverVersion));
        }
        return devices;
    }

    private static int attribute(CUdevice device, int attribute) {
        int[] value = new int[1];
        CudaErrors.check(cuDeviceGetAttribute(value, attribute, device), "cuDeviceGetAttribute(" + attribute + ")");
        return value[0];
    }

    static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8).strip();
    }
}
