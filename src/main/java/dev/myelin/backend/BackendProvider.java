package dev.myelin.backend;

/**
 * Entry point of one backend for discovery. {@link #probe()} must be cheap after its first call,
 * must never throw and must not load native code a second time when the first attempt failed.
 */
public interface BackendProvider {
    BackendKind kind();

    Probe probe();

    /**
     * A one-line reason for {@code auto} to pass this backend over without probing it, or null to probe.
     * Only for a backend that an earlier run's probe found unable to win {@code auto} here, and only while
     * nothing that decides that has changed (see the OpenCL backend's CpuOnlyRecord): it spares loading
     * drivers that {@code auto} would not use.
     */
    default String passOverInAuto() {
        return null;
    }

    /**
     * Starts the backend. {@code preferGpu} is set by {@code auto}, which only wants devices that beat
     * the CPU backend (an OpenCL CPU device such as PoCL is not worth it).
     *
     * @throws BackendUnavailableException with the one-line reason when it cannot start
     */
    Backend open(boolean preferGpu);
}
