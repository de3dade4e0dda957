package dev.myelin.backend;

import java.util.List;

/**
 * What discovery learned about one backend: whether it can start, on which devices, and if not, why.
 * The reason is one line meant for a person; it never holds a stack trace.
 */
public record Probe(BackendKind kind, boolean available, List<DeviceInfo> devices, String reason) {
    public static Probe available(BackendKind kind, List<DeviceInfo> devices, String note) {
        return new Probe(kind, true, List.copyOf(devices), note);
    }

    public static Probe unavailable(BackendKind kind, String reason) {
        return new Probe(kind, false, List.of(), reason);
    }

    public static Probe unavailable(BackendKind kind, List<DeviceInfo> devices, String reason) {
        return new Probe(kind, false, List.copyOf(devices), reason);
    }
}
