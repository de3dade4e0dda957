package dev.myelin.backend;

import java.util.Locale;

/** The backends Myelin knows, in the order {@code auto} prefers them. */
public enum BackendKind {
    CUDA, OPENCL, CPU;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a user's choice ("cpu", "OpenCL", ...); {@code null} stands for auto. */
    public static BackendKind parse(String text) {
        for (BackendKind kind : values()) {
            if (kind.id().equalsIgnoreCase(text.trim())) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown backend '" + text + "' (expected auto, cpu, opencl or cuda)");
    }
}
