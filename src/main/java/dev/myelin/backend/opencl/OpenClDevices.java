package dev.myelin.backend.opencl;

import dev.myelin.backend.BackendException;
import dev.myelin.backend.DeviceInfo;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;

import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.lwjgl.opencl.CL10.*;

/** Enumerates every device of every OpenCL platform. Needs {@link OpenClLibrary#load()} to have succeeded. */
final class OpenClDevices {
    /** clGetPlatformIDs' answer when no ICD is registered (cl_khr_icd). */
    static final int CL_PLATFORM_NOT_FOUND_KHR = -1001;

    private OpenClDevices() {
    }

    /**
     * Every device, platforms in the loader's order.
     *
     * @throws BackendException with a one-line reason when there is no platform or no device
     */
    static List<OpenClDevice> enumerate() {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            int status = clGetPlatformIDs(null, count);
            if (status == CL_PLATFORM_NOT_FOUND_KHR || (status == 0 && count.get(0) == 0)) {
                throw new BackendException("no OpenCL platform: no ICD registered in /etc/OpenCL/vendors"
                        + " (install a driver, e.g. pocl-opencl-icd for CPUs)");
            }
            ClErrors.check(status, "clGetPlatformIDs");
            PointerBuffer platforms = stack.mallocPointer(count.get(0));
            ClErrors.check(clGetPlatformIDs(platforms, (IntBuffer) null), "clGetPlatformIDs");

            List<OpenClDevice> devices = new ArrayList<>();
            List<String> empty = new ArrayList<>();
            for (int p = 0; p < platforms.capacity(); p++) {
                long platform = platforms.get(p);
                String platformName = platformString(platform, CL_PLATFORM_NAME);
                String platformVersion = platformString(platform, CL_PLATFORM_VERSION);
                IntBuffer deviceCount = stack.mallocInt(1);
                int st = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, null, deviceCount);
                if (st != 0 || deviceCount.get(0) == 0) {
                    empty.add(platformName + " (" + ClErrors.name(st) + ")");
                    continue;
                }
                PointerBuffer ids = stack.mallocPointer(deviceCount.get(0));
                ClErrors.check(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, ids, (IntBuffer) null), "clGetDeviceIDs");
                for (int d = 0; d < ids.capacity(); d++) {
                    devices.add(describe(platform, ids.get(d), platformName, platformVersion));
                }
            }
            if (devices.isEmpty()) {
                throw new BackendException("no OpenCL device on platform(s) " + String.join(", ", empty)
                        + (empty.stream().anyMatch(s -> s.contains("Portable Computing Language"))
                        ? "; PoCL needs a writable POCL_CACHE_DIR" : ""));
            }
            return List.copyOf(devices);
        }
    }

    private static OpenClDevice describe(long platform, long device, String platformName, String platformVersion) {
        long type = deviceLong(device, CL_DEVICE_TYPE);
        boolean gpu = (type & CL_DEVICE_TYPE_GPU) != 0;
        boolean accelerator = (type & CL_DEVICE_TYPE_ACCELERATOR) != 0;
        String typeName = gpu ? "gpu" : accelerator ? "accelerator" : "cpu";
        DeviceInfo info = new DeviceInfo(
                deviceString(device, CL_DEVICE_NAME).strip(), typeName,
                deviceLong(device, CL_DEVICE_GLOBAL_MEM_SIZE),
                deviceInt(device, CL_DEVICE_MAX_COMPUTE_UNITS),
                platformName + ", " + deviceString(device, CL_DEVICE_VERSION).strip()
                        + " (platform " + platformVersion.strip() + ")");
        return new OpenClDevice(platform, device, info, gpu || accelerator,
                deviceLong(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE), pointerInfo(device, CL_DEVICE_MAX_WORK_GROUP_SIZE));
    }

    static String platformString(long platform, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            ClErrors.check(clGetPlatformInfo(platform, param, (ByteBuffer) null, size), "clGetPlatformInfo");
            ByteBuffer bytes = stack.malloc((int) size.get(0));
            ClErrors.check(clGetPlatformInfo(platform, param, bytes, null), "clGetPlatformInfo");
            return decode(bytes);
        }
    }

    static String deviceString(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            ClErrors.check(clGetDeviceInfo(device, param, (ByteBuffer) null, size), "clGetDeviceInfo");
            ByteBuffer bytes = stack.malloc((int) size.get(0));
            ClErrors.check(clGetDeviceInfo(device, param, bytes, null), "clGetDeviceInfo");
            return decode(bytes);
        }
    }

    static long deviceLong(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            LongBuffer value = stack.callocLong(1);
            ClErrors.check(clGetDeviceInfo(device, param, value, null), "clGetDeviceInfo");
            return value.get(0);
        }
    }

    static int deviceInt(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer value = stack.callocInt(1);
            ClErrors.check(clGetDeviceInfo(device, param, value, null), "clGetDeviceInfo");
            return value.get(0);
        }
    }

    /** size_t-valued info. */
    static long pointerInfo(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer value = stack.callocPointer(1);
            ClErrors.check(clGetDeviceInfo(device, param, value, null), "clGetDeviceInfo");
            return value.get(0);
        }
    }

    private static String decode(ByteBuffer bytes) {
        int end = bytes.limit();
        while (end > 0 && bytes.get(end - 1) == 0) {
            end--;
        }
        byte[] array = new byte[end];
        bytes.get(0, array);
        return new String(array, java.nio.charset.StandardCharsets.UTF_8);
    }
}
