package dev.myelin.backend.cuda;

import dev.myelin.backend.Backend;
import dev.myelin.backend.BackendException;
import dev.myelin.backend.BackendKind;
import dev.myelin.backend.BackendProvider;
import dev.myelin.backend.BackendUnavailableException;
import dev.myelin.backend.Probe;
import jcuda.driver.CUcontext;

import java.util.List;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;

/**
 * Discovery entry of the CUDA backend. The probe goes as far as {@code auto} needs to trust CUDA:
 * the driver loads and initialises, a device exists, the GPU and driver can run what we ship, and
 * the kernels module actually loads on the device. Each failure has its own one-line reason; cuBLAS
 * missing is not a failure (the backend then runs its own tiled GEMM) and shows in the probe's note.
 * The outcome is cached per JVM; a failed native load is never retried.
 *
 * <p>The backend runs on device 0, or the one named by {@code -Dmyelin.cuda.device=N} or
 * {@code MYELIN_CUDA_DEVICE=N}.
 */
public final class CudaBackendProvider implements BackendProvider {
    private static volatile Result cached;

    private record Result(Probe probe, CudaDevice device) {
    }

    @Override
    public BackendKind kind() {
        return BackendKind.CUDA;
    }

    @Override
    public Probe probe() {
        return result().probe();
    }

    private static Result result() {
        Result r = cached;
        if (r == null) {
            synchronized (CudaBackendProvider.class) {
                r = cached;
                if (r == null) {
                    r = probeOnce();
                    cached = r;
                }
            }
        }
        return r;
    }

    private static Result probeOnce() {
        try {
            String failure = CudaLibrary.init();
            if (failure != null) {
                return unavailable(failure);
            }
            int driver = CudaLibrary.driverVersion();
            List<CudaDevice> devices = CudaDevices.enumerate(driver);
            if (devices.isEmpty()) {
                return unavailable("no CUDA device found (driver for CUDA " + CudaErrors.cudaVersion(driver) + ")");
            }
            int ordinal = chosenOrdinal();
            if (ordinal < 0 || ordinal >= devices.size()) {
                return unavailable("CUDA device " + ordinal + " asked for (myelin.cuda.device / MYELIN_CUDA_DEVICE), but only "
                        + devices.size() + " found");
            }
            CudaDevice device = devices.get(ordinal);
            String incompatible = KernelImage.incompatibility(device.name(), device.major(), device.minor(), driver);
            if (incompatible != null) {
                return unavailable(incompatible);
            }
            String origin = tryLoadModule(device);
            String blas = CublasGemm.loadFailure();
            String note = "kernels: " + origin + "; GEMM: "
                    + (blas == null ? "cuBLAS 12" + (CublasGemm.tf32Requested() ? ", TF32 tensor cores" : "")
                                    : "own tiled GEMM (" + blas + ")");
            return new Result(Probe.available(BackendKind.CUDA, devices.stream().map(CudaDevice::info).toList(), note), device);
        } catch (BackendException e) {
            return unavailable(oneLine(e.getMessage()));
        } catch (Throwable t) {
            // A probe must never throw: a broken driver can fail in any way (LinkageError included).
            return unavailable("CUDA probe failed: " + t.getClass().getSimpleName() + ": " + CudaErrors.firstLine(t));
        }
    }

    /** Loads the module in the device's primary context and lets it go again; returns where it came from. */
    private static String tryLoadModule(CudaDevice device) {
        CUcontext context = new CUcontext();
        CudaErrors.check(cuDevicePrimaryCtxRetain(context, device.device()), "cuDevicePrimaryCtxRetain(" + device.name() + ")");
        try {
            CudaErrors.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
            try (CudaModule module = CudaModule.load(device)) {
                return module.origin();
            }
        } finally {
            cuCtxSetCurrent(new CUcontext()); // a NULL context: nothing current once the primary one is released
            cuDevicePrimaryCtxRelease(device.device());
        }
    }

    static int chosenOrdinal() {
        String value = System.getProperty("myelin.cuda.device", System.getenv("MYELIN_CUDA_DEVICE"));
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Result unavailable(String reason) {
        return new Result(Probe.unavailable(BackendKind.CUDA, reason), null);
    }

    static String oneLine(String message) {
        return message == null ? "unknown error" : message.strip().lines().findFirst().orElse("").replaceFirst("^cuda: ", "");
    }

    @Override
    public Backend open(boolean preferGpu) {
        Result r = result();
        if (!r.probe().available()) {
            throw new BackendUnavailableException(BackendKind.CUDA, r.probe().reason());
        }
        try {
            return new CudaBackend(r.device());
        } catch (BackendException e) {
            throw new BackendUnavailableException(BackendKind.CUDA,
                    "cannot start on " + r.device().name() + ": " + oneLine(e.getMessage()));
        }
    }
}
