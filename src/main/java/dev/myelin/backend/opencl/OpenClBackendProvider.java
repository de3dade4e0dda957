package dev.myelin.backend.opencl;

import dev.myelin.backend.Backend;
import dev.myelin.backend.BackendException;
import dev.myelin.backend.BackendKind;
import dev.myelin.backend.BackendProvider;
import dev.myelin.backend.BackendUnavailableException;
import dev.myelin.backend.DeviceInfo;
import dev.myelin.backend.Probe;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Discovery entry of the OpenCL backend. The probe loads libOpenCL and lists every device of every
 * platform once per JVM; its outcome (devices or a one-line reason) is cached, so probing again is
 * free and a failed native load is never retried. Across runs, {@link CpuOnlyRecord} remembers a
 * machine whose OpenCL has only CPU devices, which {@code auto} then passes over without probing.
 */
public final class OpenClBackendProvider implements BackendProvider {
    /** Cached per JVM: the ICD loader and the device list do not change while we run. */
    private static volatile Result cached;
    /** The record, its fingerprint taken once per JVM (it reads the vendor files and /dev), for the same reason. */
    private static CpuOnlyRecord record;
    private static final Object RECORD_LOCK = new Object();

    private record Result(Probe probe, List<OpenClDevice> devices) {
    }

    @Override
    public BackendKind kind() {
        return BackendKind.OPENCL;
    }

    @Override
    public Probe probe() {
        return result().probe();
    }

    /** Where an earlier full probe found only CPU devices and nothing that decides them has changed. */
    @Override
    public String passOverInAuto() {
        if (cached != null) {
            return null; // probed in this JVM: the probe itself says
        }
        String devices;
        try {
            devices = record().cpuDevices();
        } catch (RuntimeException e) {
            return null; // the record is only a shortcut: without it, auto probes
        }
        return devices == null ? null : "no OpenCL GPU device (only CPU devices when last probed: " + devices
                + "; `myelin info` probes again)";
    }

    private static Result result() {
        Result r = cached;
        if (r == null) {
            synchronized (OpenClBackendProvider.class) {
                r = cached;
                if (r == null) {
                    r = probeOnce();
                    remember(r);
                    cached = r;
                }
            }
        }
        return r;
    }

    /** Keeps CpuOnlyRecord in step with the full probe: recorded when only CPU devices were found, else removed. */
    private static void remember(Result r) {
        try {
            if (r.probe().available() && !r.devices().isEmpty() && r.devices().stream().noneMatch(OpenClDevice::gpuLike)) {
                record().save(names(r.devices()));
            } else {
                record().remove();
            }
        } catch (RuntimeException e) {
            // a probe never throws, and the record is only a shortcut for later runs
        }
    }

    // Its own lock, not the probe's: auto reads the record while another thread may be probing.
    private static CpuOnlyRecord record() {
        synchronized (RECORD_LOCK) {
            if (record == null) {
                record = CpuOnlyRecord.inUserCache();
            }
            return record;
        }
    }

    private static Result probeOnce() {
        try {
            String failure = OpenClLibrary.load();
            if (failure != null) {
                return new Result(Probe.unavailable(BackendKind.OPENCL, failure), List.of());
            }
            List<OpenClDevice> devices = OpenClDevices.enumerate();
            List<DeviceInfo> infos = devices.stream().map(OpenClDevice::info).toList();
            String note = devices.stream().anyMatch(OpenClDevice::gpuLike)
                    ? ""
                    : "only CPU devices (" + names(devices) + "): used only when asked for with --backend opencl";
            return new Result(Probe.available(BackendKind.OPENCL, infos, note), devices);
        } catch (BackendException e) {
            return new Result(Probe.unavailable(BackendKind.OPENCL, oneLine(e.getMessage())), List.of());
        } catch (Throwable t) {
            // A probe must never throw: a broken driver can fail in any way (LinkageError included).
            return new Result(Probe.unavailable(BackendKind.OPENCL,
                    "OpenCL probe failed: " + t.getClass().getSimpleName() + ": " + OpenClLibrary.firstLine(t)), List.of());
        } finally {
            // Loading the drivers (PoCL loads LLVM) can replace the JVM's signal handlers; see JvmSignalHandlers.
            JvmSignalHandlers.restore();
        }
    }

    private static String oneLine(String message) {
        return message == null ? "unknown error" : message.strip().lines().findFirst().orElse("").replaceFirst("^opencl: ", "");
    }

    private static String names(List<OpenClDevice> devices) {
        return devices.stream().map(d -> d.info().name()).collect(Collectors.joining(", "));
    }

    /**
     * Opens the backend. With {@code preferGpu} ({@code auto}) only a GPU or accelerator will do, since
     * an OpenCL CPU device (PoCL) is slower than the CPU backend; otherwise the first GPU, else the
     * first device.
     */
    @Override
    public Backend open(boolean preferGpu) {
        Result r = result();
        if (!r.probe().available()) {
            throw new BackendUnavailableException(BackendKind.OPENCL, r.probe().reason());
        }
        OpenClDevice chosen = r.devices().stream().filter(OpenClDevice::gpuLike).findFirst().orElse(null);
        if (chosen == null) {
            if (preferGpu) {
                throw new BackendUnavailableException(BackendKind.OPENCL, "no OpenCL GPU device (found only CPU devices: "
                        + names(r.devices()) + "; use --backend opencl to run on them)");
            }
            chosen = r.devices().get(0);
        }
        try {
            return new OpenClBackend(chosen);
        } catch (BackendException e) {
            throw new BackendUnavailableException(BackendKind.OPENCL,
                    "cannot start on " + chosen.info().name() + ": " + oneLine(e.getMessage()));
        }
    }
}
