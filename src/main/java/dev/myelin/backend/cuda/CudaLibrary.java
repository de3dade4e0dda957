package dev.myelin.backend.cuda;

import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * Loads JCuda's driver binding and initialises the driver, once per JVM. Without libcuda.so.1 the
 * first touch of {@link JCudaDriver} throws a ~30-line UnsatisfiedLinkError from its class
 * initialiser and every later touch a NoClassDefFoundError, so the outcome of the first attempt is
 * kept and never retried. JCuda reports the failure only through that exception (nothing is printed
 * to stderr; checked with JCuda 12.6.0), so probing stays quiet.
 */
final class CudaLibrary {
    private static boolean attempted;
    private static String failure;
    private static int driverVersion;

    private CudaLibrary() {
    }

    /** Null when the driver is initialised, else the one-line reason it is not. Never throws. */
    static synchronized String init() {
        if (attempted) {
            return failure;
        }
        attempted = true;
        try {
            // Error codes, not exceptions: every call site names what failed in its own words.
            JCudaDriver.setExceptionsEnabled(false);
            int[] version = new int[1];
            if (JCudaDriver.cuDriverGetVersion(version) == CUresult.CUDA_SUCCESS) {
                driverVersion = version[0];
            }
            int result = JCudaDriver.cuInit(0);
            if (result == CUresult.CUDA_ERROR_NO_DEVICE) {
                failure = "no CUDA device: cuInit reports CUDA_ERROR_NO_DEVICE (driver "
                        + CudaErrors.cudaVersion(driverVersion) + " is installed)";
            } else if (result != CUresult.CUDA_SUCCESS) {
                failure = "cuInit failed: " + CudaErrors.name(result) + driverNote();
            }
        } catch (LinkageError e) {
            failure = loadFailure(e);
        } catch (Throwable t) {
            failure = "CUDA driver initialisation failed: " + t.getClass().getSimpleName() + ": " + CudaErrors.firstLine(t);
        }
        return failure;
    }

    /** The CUDA version the driver supports (12040 for 12.4), 0 when unknown. */
    static synchronized int driverVersion() {
        return driverVersion;
    }

    private static String driverNote() {
        return driverVersion > 0 ? " (driver supports CUDA " + CudaErrors.cudaVersion(driverVersion) + ")" : "";
    }

    /** One line for a failed load of JCuda's native driver binding. */
    static String loadFailure(LinkageError e) {
        String missing = CudaErrors.missingLibrary(e);
        if ("libcuda.so.1".equals(missing) || "libcuda.so".equals(missing)) {
            return "no NVIDIA driver: libcuda.so.1 not found";
        }
        if (missing != null) {
            return "cannot load JCuda's driver binding: " + missing + " not found";
        }
        return "cannot load JCuda's driver binding: " + CudaErrors.firstLine(e);
    }
}
