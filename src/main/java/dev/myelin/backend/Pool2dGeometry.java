package dev.myelin.backend;

/**
 * The shape of one 2-D pooling over NCHW data, PyTorch's {@code max_pool2d}/{@code avg_pool2d} with a
 * square window, one stride and one padding for both axes (ceil_mode false, dilation 1).
 *
 * <p>Input x is [batch, channels, height, width], output [batch, channels, outHeight(), outWidth()]
 * with {@code outHeight = (height + 2 * padding - kernel) / stride + 1}. Padding must be at most half
 * the kernel, as PyTorch requires; every window then lies inside the padded input and overlaps the
 * real one.
 */
public record Pool2dGeometry(int batch, int channels, int height, int width, int kernel, int stride, int padding) {
    public Pool2dGeometry {
        if (batch < 0 || channels <= 0 || height <= 0 || width <= 0 || kernel <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("invalid pool2d geometry " + this);
        }
        if (2 * padding > kernel) {
            throw new IllegalArgumentException("pool2d: padding " + padding + " is more than half the kernel " + kernel);
        }
        if (height + 2 * padding < kernel || width + 2 * padding < kernel) {
            throw new IllegalArgumentException("pool2d: a " + kernel + "x" + kernel + " window does not fit a "
                    + height + "x" + width + " input with padding " + padding);
        }
    }

    public int outHeight() {
        return (height + 2 * padding - kernel) / stride + 1;
    }

    public int outWidth() {
        return (width + 2 * padding - kernel) / stride + 1;
    }

    public int inputSize() {
        return batch * channels * height * width;
    }

    public int outputSize() {
        return batch * channels * outHeight() * outWidth();
    }
}
