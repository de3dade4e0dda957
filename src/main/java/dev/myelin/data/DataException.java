package dev.myelin.data;

/**
 * A data file is missing, damaged or not what it claims to be. The message names the file and what is
 * wrong, on one line, so the CLI can print it as is.
 */
public final class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
