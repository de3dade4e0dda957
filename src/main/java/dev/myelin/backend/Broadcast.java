package dev.myelin.backend;

/**
 * How the second operand b of a binary op over an [rows, cols] operand a is laid out. Contiguous
 * row-major tensors make these four cases cover every broadcast a dense network needs.
 */
public enum Broadcast {
    /** b is [rows, cols], like a. */
    NONE,
    /** b is [cols]: one row, repeated for every row of a (a bias). */
    ROW,
    /** b is [rows]: one value per row of a, repeated along the columns. */
    COLUMN,
    /** b is [1]. */
    SCALAR;

    /** Number of elements b holds for an [rows, cols] operand a. */
    public int operandLength(int rows, int cols) {
        return switch (this) {
            case NONE -> rows * cols;
            case ROW -> cols;
            case COLUMN -> rows;
            case SCALAR -> 1;
        };
    }

    /** Index into b for element (r, c) of a. */
    public int index(int r, int c, int cols) {
        return switch (this) {
            case NONE -> r * cols + c;
            case ROW -> c;
            case COLUMN -> r;
            case SCALAR -> 0;
        };
    }
}
