package dev.myelin.backend;

/**
 * Bounds of a {@link Backend#copyStrided} operand, checked on the host by the GPU backends: a kernel
 * cannot throw, and an index past a buffer there writes into someone else's memory or faults the
 * context instead of naming the mistake.
 */
public final class StridedRange {
    private StridedRange() {
    }

    /**
     * Throws when an element offset + b * batchStride + r * rowStride + j (b < batches, r < rows,
     * j < cols) falls outside {@code buffer}; nothing to check when any count is 0.
     */
    public static void check(String what, Buffer buffer, int offset, int batchStride, int rowStride,
                             int batches, int rows, int cols) {
        if (batches < 0 || rows < 0 || cols < 0) {
            throw new IllegalArgumentException(what + ": negative extent " + batches + " x " + rows + " x " + cols);
        }
        if (batches == 0 || rows == 0 || cols == 0) {
            return;
        }
        long lowest = offset + Math.min(0L, (long) (batches - 1) * batchStride) + Math.min(0L, (long) (rows - 1) * rowStride);
        long highest = offset + Math.max(0L, (long) (batches - 1) * batchStride) + Math.max(0L, (long) (rows - 1) * rowStride)
                + cols - 1;
        if (lowest < 0 || highest >= buffer.length()) {
            throw new IndexOutOfBoundsException(String.format(
                    "%s: %d x %d x %d elements at offset %d with batch stride %d and row stride %d reach [%d, %d],"
                            + " outside a buffer of %d floats", what, batches, rows, cols, offset, batchStride, rowStride,
                    lowest, highest, buffer.length()));
        }
    }
}
