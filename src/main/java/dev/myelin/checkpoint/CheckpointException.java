package dev.myelin.checkpoint;

/**
 * A checkpoint is missing, damaged, of another model, or cannot be written. The message is one line
 * that names the file and says what is wrong, so the CLI prints it as is.
 */
public final class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(oneLine(message));
    }

    public CheckpointException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }
}
