package dev.myelin.backend;

/**
 * The shape of one 2-D convolution over NCHW data, PyTorch's {@code conv2d} with a square kernel,
 * one stride and one zero padding for both spatial axes (dilation 1, groups 1).
 *
 * <p>Input x is [batch, inChannels, height, width], weight [outChannels, inChannels, kernel, kernel],
 * output y [batch, outChannels, outHeight(), outWidth()] with
 * {@code outHeight = (height + 2 * padding - kernel) / stride + 1} (floor), likewise for the width.
 */
public record Conv2dGeometry(int batch, int inChannels, int height, int width,
                             int outChannels, int kernel, int stride, int padding) {
    public Conv2dGeometry {
        if (batch < 0 || inChannels <= 0 || height <= 0 || width <= 0 || outChannels <= 0
                || kernel <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("invalid conv2d geometry " + this);
        }
        if (height + 2 * padding < kernel || width + 2 * padding < kernel) {
            throw new IllegalArgumentException("conv2d: a " + kernel + "x" + kernel + " kernel does not fit a "
                    + height + "x" + width + " input with padding " + padding);
        }
    }

    public int outHeight() {
        return (height + 2 * padding - kernel) / stride + 1;
    }

    public int outWidth() {
        return (width + 2 * padding - kernel) / stride + 1;
    }

    /** Elements of x. */
    public int inputSize() {
        return batch * inChannels * height * width;
    }

    /** Elements of y. */
    public int outputSize() {
        return batch * outChannels * outHeight() * outWidth();
    }

    /** Elements of the weight. */
    public int weightSize() {
        return outChannels * inChannels * kernel * kernel;
    }

    /** Rows of one sample's im2col matrix: inChannels * kernel * kernel. */
    public int patchSize() {
        return inChannels * kernel * kernel;
    }
}
