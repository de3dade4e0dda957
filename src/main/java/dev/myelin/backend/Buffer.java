package dev.myelin.backend;

/**
 * A block of float32 storage owned by one {@link Backend}. A buffer is only ever passed back to the
 * backend that allocated it; its contents are reached through {@link Backend#upload} and
 * {@link Backend#download}.
 */
public interface Buffer {
    /** Capacity in float elements. */
    int length();
}
