package dev.myelin.backend.cpu;

import dev.myelin.backend.Backend;
import dev.myelin.backend.BackendKind;
import dev.myelin.backend.BackendProvider;
import dev.myelin.backend.Probe;

import java.util.List;

public final class CpuBackendProvider implements BackendProvider {
    @Override
    public BackendKind kind() {
        return BackendKind.CPU;
    }

    @Override
    public Probe probe() {
        CpuBackend cpu = new CpuBackend();
        return Probe.available(BackendKind.CPU, List.of(cpu.device()),
                VectorSupport.available() ? "" : "Vector API off: start Java with --add-modules jdk.incubator.vector");
    }

    @Override
    public Backend open(boolean preferGpu) {
        VectorSupport.warnOnceIfMissing();
        return new CpuBackend();
    }
}
