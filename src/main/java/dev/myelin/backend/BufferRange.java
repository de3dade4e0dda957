package dev.myelin.backend;

/**
 * Bounds of a contiguous operand range (upload, download, copy, fill), checked on the host by the GPU
 * backends for the reason {@link StridedRange} gives: a device cannot name the mistake.
 */
public final class BufferRange {
    private BufferRange() {
    }

    /** Throws when [offset, offset + length) is not inside {@code buffer}. */
    public static void check(Buffer buffer, int offset, int length, String what) {
        if (offset < 0 || length < 0 || (long) offset + length > buffer.length()) {
            throw new IndexOutOfBoundsException(what + ": range [" + offset + ", " + ((long) offset + length)
                    + ") outside a buffer of " + buffer.length() + " floats");
        }
    }
}
