package dev.myelin.data;

/** One IDX image file's content: {@code count} images of {@code rows x cols} unsigned bytes, row-major. */
public record IdxImages(int count, int rows, int cols, byte[] pixels) {
    public IdxImages {
        if ((long) count * rows * cols != pixels.length) {
            throw new IllegalArgumentException(
                    "pixels holds " + pixels.length + " bytes, not " + count + "x" + rows + "x" + cols);
        }
    }
}
