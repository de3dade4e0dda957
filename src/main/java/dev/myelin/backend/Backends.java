package dev.myelin.backend;

import dev.myelin.backend.cpu.CpuBackendProvider;
import dev.myelin.backend.cuda.CudaBackendProvider;
import dev.myelin.backend.opencl.OpenClBackendProvider;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Discovery: which backends exist, which can start here, and the choice between them.
 * {@code auto} takes CUDA, then an OpenCL GPU, then the CPU, and keeps the reason each was passed over;
 * a backend that an earlier run found unable to win here is passed over unprobed
 * ({@link BackendProvider#passOverInAuto}).
 */
public final class Backends {
    /** In {@code auto}'s order of preference. Adding a backend means adding its provider here. */
    private static final List<BackendProvider> PROVIDERS = List.of(
            new CudaBackendProvider(), new OpenClBackendProvider(), new CpuBackendProvider());

    private Backends() {
    }

    public static List<BackendProvider> providers() {
        return PROVIDERS;
    }

    public static BackendProvider provider(BackendKind kind) {
        return PROVIDERS.stream().filter(p -> p.kind() == kind).findFirst().orElseThrow();
    }

    /** Probes every backend; never throws. */
    public static List<Probe> probeAll() {
        return PROVIDERS.stream().map(BackendProvider::probe).toList();
    }

    /**
     * The backend {@code auto} would open, judged from the probes alone: CUDA when it is available, an
     * OpenCL backend only with a GPU or accelerator among its devices (auto never runs OpenCL on a CPU
     * device), else the CPU. Callers use it to prepare for that backend before opening it; opening can
     * still fail, and then {@link #open} goes on down the list.
     */
    public static BackendKind autoChoice() {
        return autoChoice(PROVIDERS);
    }

    static BackendKind autoChoice(List<BackendProvider> providers) {
        for (BackendProvider provider : providers) {
            if (provider.passOverInAuto() != null) {
                continue;
            }
            Probe probe = provider.probe();
            if (probe.available() && (probe.kind() == BackendKind.CPU
                    || probe.devices().stream().anyMatch(d -> !d.type().equals("cpu")))) {
                return probe.kind();
            }
        }
        return BackendKind.CPU;
    }

    /**
     * The outcome of a choice: the backend that was opened and, for each one passed over on the way,
     * its kind and reason.
     */
    public record Selection(Backend backend, List<String> passedOver) {
    }

    /**
     * Opens the backend named by {@code choice}: "auto" (or null/blank) or one of cpu, opencl, cuda.
     *
     * @throws BackendUnavailableException when a named backend cannot start, with its reason
     * @throws IllegalArgumentException for an unknown name
     */
    public static Selection open(String choice) {
        String normalized = choice == null ? "auto" : choice.trim().toLowerCase(Locale.ROOT);
        if (normalized.isEmpty() || normalized.equals("auto")) {
            return openAuto(PROVIDERS);
        }
        BackendProvider provider = provider(BackendKind.parse(normalized));
        Probe probe = provider.probe();
        if (!probe.available()) {
            throw new BackendUnavailableException(provider.kind(), probe.reason());
        }
        return new Selection(profiled(provider.open(false)), List.of());
    }

    /** With {@code -Dmyelin.profile=ops}, the backend with every op timed (see {@link OpProfiler}). */
    private static Backend profiled(Backend backend) {
        return OpProfiler.enabled() ? OpProfiler.wrap(backend) : backend;
    }

    static Selection openAuto(List<BackendProvider> providers) {
        List<String> passedOver = new ArrayList<>();
        for (BackendProvider provider : providers) {
            String skip = provider.passOverInAuto();
            if (skip != null) {
                passedOver.add(provider.kind().id() + ": " + skip);
                continue;
            }
            Probe probe = provider.probe();
            if (!probe.available()) {
                passedOver.add(provider.kind().id() + ": " + probe.reason());
                continue;
            }
            try {
                return new Selection(profiled(provider.open(true)), List.copyOf(passedOver));
            } catch (BackendUnavailableException e) {
                passedOver.add(provider.kind().id() + ": " + e.getMessage().replaceFirst("^\\w+ backend unavailable: ", ""));
            }
        }
        throw new IllegalStateException("the CPU backend refused to open: " + passedOver);
    }
}
