package dev.myelin.backend.opencl;

import dev.myelin.backend.Backend;
import dev.myelin.backend.BackendKind;
import dev.myelin.backend.BackendProvider;
import dev.myelin.backend.BackendUnavailableException;
import dev.myelin.backend.Probe;

/** Placeholder until the OpenCL backend lands: discovery lists it with the reason it cannot start. */
public final class OpenClBackendProvider implements BackendProvider {
    private static final String REASON = "the OpenCL backend is not built yet in this version of Myelin";

    @Override
    public BackendKind kind() {
        return BackendKind.OPENCL;
    }

    @Override
    public Probe probe() {
        return Probe.unavailable(BackendKind.OPENCL, REASON);
    }

    @Override
    public Backend open(boolean preferGpu) {
        throw new BackendUnavailableException(BackendKind.OPENCL, REASON);
    }
}
