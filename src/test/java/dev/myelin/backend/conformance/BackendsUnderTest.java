package dev.myelin.backend.conformance;

import dev.myelin.backend.Backend;
import dev.myelin.backend.BackendKind;
import dev.myelin.backend.BackendProvider;
import dev.myelin.backend.Backends;
import dev.myelin.backend.Probe;
import dev.myelin.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Assumptions;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The backends the conformance suite runs on: every kind discovery knows, cpu always. A backend whose
 * probe says it cannot start here is reported as skipped with the probe's reason (via Assumptions),
 * so a run on a machine without OpenCL or CUDA says why those cases did not run.
 *
 * <p>Each backend is opened once per JVM and shared: opening compiles kernels (about a second per
 * program on PoCL), and the suite also checks that the backend survives many ops in sequence.
 */
public final class BackendsUnderTest {
    private static final Map<BackendKind, Backend> OPEN = new EnumMap<>(BackendKind.class);
    private static final CpuBackend REFERENCE = new CpuBackend();

    private BackendsUnderTest() {
    }

    /** Ids of every backend kind, cpu first (so failures in the reference show up first). */
    public static List<String> ids() {
        return List.of("cpu", "opencl", "cuda");
    }

    /** The CPU backend every other backend is compared against. */
    public static CpuBackend reference() {
        return REFERENCE;
    }

    /** The shared instance of {@code id}, or a skipped test carrying the probe's reason. */
    public static synchronized Backend get(String id) {
        BackendKind kind = BackendKind.parse(id);
        Backend backend = OPEN.get(kind);
        if (backend != null) {
            return backend;
        }
        BackendProvider provider = Backends.provider(kind);
        Probe probe = provider.probe();
        Assumptions.assumeTrue(probe.available(), () -> id + " backend unavailable: " + probe.reason());
        // preferGpu=false: run on whatever device there is (PoCL's CPU device included), as --backend does.
        backend = provider.open(false);
        OPEN.put(kind, backend);
        return backend;
    }
}
