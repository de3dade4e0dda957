package dev.myelin.backend;

/** A backend that was asked for by name cannot start here; the message is the one-line reason. */
public final class BackendUnavailableException extends BackendException {
    private final BackendKind kind;

    public BackendUnavailableException(BackendKind kind, String reason) {
        super(kind.id() + " backend unavailable: " + reason);
        this.kind = kind;
    }

    public BackendKind kind() {
        return kind;
    }
}
