package dev.myelin.tensor;

import java.util.Arrays;

/** The dimensions of a contiguous row-major tensor. Immutable. */
public final class Shape {
    private final int[] dims;
    private final int size;

    private Shape(int[] dims) {
        long size = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
            }
            size *= d;
        }
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " holds " + size
                    + " elements; at most " + Integer.MAX_VALUE + " are supported");
        }
        this.dims = dims;
        this.size = (int) size;
    }

    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int axis) {
        return dims[axis < 0 ? dims.length + axis : axis];
    }

    /** Number of elements. */
    public int size() {
        return size;
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Rows of the matrix this tensor is viewed as: the product of every dimension but the last. */
    public int rows() {
        return dims.length == 0 ? 1 : size / Math.max(1, dims[dims.length - 1]);
    }

    /** Columns of the matrix view: the last dimension (1 for a scalar). */
    public int cols() {
        return dims.length == 0 ? 1 : dims[dims.length - 1];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape other && Arrays.equals(dims, other.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
