package dev.myelin.backend.cuda;

import dev.myelin.backend.BackendException;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The packaged CUDA module (built by native/build-kernels.sh, found on the classpath under
 * /native/cuda/) and which GPUs and drivers can load it. The fatbin holds SASS for {@link #SASS_ARCHS}
 * plus compute_120 PTX; myelin_kernels.ptx is compute_75 PTX, JIT-compiled by the driver for any GPU
 * from sm_75 up. All of it comes from nvcc 13.0: its PTX (ISA 9.0) needs a driver for CUDA 13.0 or
 * newer (R580+), while SASS runs on any driver that knows the GPU.
 */
final class KernelImage {
    static final String FATBIN = "/native/cuda/myelin_kernels.fatbin";
    static final String PTX = "/native/cuda/myelin_kernels.ptx";
    /** Must match ARCHS in native/build-kernels.sh (a test checks). */
    static final List<Integer> SASS_ARCHS = List.of(75, 80, 86, 89, 90, 100, 120);
    /** The oldest architecture nvcc 13 builds for. */
    static final int OLDEST_ARCH = 75;
    /** cuDriverGetVersion's value for CUDA 13.0, the oldest driver that takes our PTX. */
    static final int PTX_DRIVER = 13000;

    private KernelImage() {
    }

    /**
     * The SASS in the fatbin that runs on a GPU of this compute capability, or 0 for none. SASS for
     * sm_X.Y runs on sm_X.Z when Z >= Y (same major version).
     */
    static int sassFor(int major, int minor) {
        int best = 0;
        for (int arch : SASS_ARCHS) {
            if (arch / 10 == major && arch % 10 <= minor) {
                best = Math.max(best, arch);
            }
        }
        return best;
    }

    /**
     * Why this GPU and driver cannot run the packaged kernels, or null when they should (the module
     * load has the last word). {@code driverVersion} is cuDriverGetVersion's (12040 for 12.4).
     */
    static String incompatibility(String device, int major, int minor, int driverVersion) {
        int arch = major * 10 + minor;
        if (arch < OLDEST_ARCH) {
            return device + " is sm_" + arch + "; the packaged kernels need sm_" + OLDEST_ARCH
                    + " or newer (CUDA 13 no longer builds for older GPUs)";
        }
        if (sassFor(major, minor) == 0 && driverVersion < PTX_DRIVER) {
            return "driver too old: " + device + " (sm_" + arch + ") has no prebuilt SASS in this build, only CUDA 13.0 PTX,"
                    + " which needs an R580+ driver (CUDA 13.0); this driver supports CUDA " + CudaErrors.cudaVersion(driverVersion);
        }
        return null;
    }

    static byte[] fatbin() {
        return resource(FATBIN, false);
    }

    /** The PTX text, NUL-terminated as cuModuleLoadData wants it. */
    static byte[] ptx() {
        return resource(PTX, true);
    }

    private static byte[] resource(String path, boolean nulTerminated) {
        try (InputStream in = KernelImage.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new BackendException("cuda: " + path + " is not on the classpath (the jar was built without CUDA kernels)");
            }
            byte[] bytes = in.readAllBytes();
            if (!nulTerminated) {
                return bytes;
            }
            byte[] terminated = java.util.Arrays.copyOf(bytes, bytes.length + 1);
            return terminated;
        } catch (IOException e) {
            throw new BackendException("cuda: cannot read " + path + ": " + e.getMessage(), e);
        }
    }
}
