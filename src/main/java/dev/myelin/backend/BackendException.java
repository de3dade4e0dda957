package dev.myelin.backend;

/** A backend could not do what was asked: it could not start, ran out of memory, or a kernel failed. */
public class BackendException extends RuntimeException {
    public BackendException(String message) {
        super(message);
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
