package dev.myelin.backend.cuda;

import dev.myelin.backend.Backend;
import dev.myelin.backend.BackendKind;
import dev.myelin.backend.BackendProvider;
import dev.myelin.backend.BackendUnavailableException;
import dev.myelin.backend.Probe;

/** Placeholder until the CUDA backend lands: discovery lists it with the reason it cannot start. */
public final class CudaBackendProvider implements BackendProvider {
    private static final String REASON = "the CUDA backend is not built yet in this version of Myelin";

    @Override
    public BackendKind kind() {
        return BackendKind.CUDA;
    }

    @Override
    public Probe probe() {
        return Probe.unavailable(BackendKind.CUDA, REASON);
    }

    @Override
    public Backend open(boolean preferGpu) {
        throw new BackendUnavailableException(BackendKind.CUDA, REASON);
    }
}
