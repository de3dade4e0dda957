package dev.myelin.nn;

import dev.myelin.tensor.Tensor;

/**
 * Pooling over NCHW input with a square window, as torch.nn's pooling layers: the window, stride
 * (defaulting to the window) and padding, their checks and the input-shape check live here; each
 * subclass names its op.
 */
public abstract sealed class Pool2d extends Module permits MaxPool2d, AvgPool2d {
    private final int kernel;
    private final int stride;
    private final int padding;

    Pool2d(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        if (kernel <= 0 || stride <= 0 || padding < 0 || 2 * padding > kernel) {
            throw new IllegalArgumentException(this + ": kernel and stride must be positive, padding at most half the kernel");
        }
    }

    /** The pooling op itself, on an input already checked to be [N, C, H, W] and large enough. */
    abstract Tensor pool(Tensor input, int kernel, int stride, int padding);

    @Override
    public final Tensor forward(Tensor input) {
        var s = input.shape();
        if (s.rank() != 4) {
            throw new IllegalArgumentException(this + ": input of shape " + s + " must be [N, C, H, W]");
        }
        if (s.dim(2) + 2 * padding < kernel || s.dim(3) + 2 * padding < kernel) {
            throw new IllegalArgumentException(this + ": input of shape " + s + " is smaller than the "
                    + kernel + "x" + kernel + " window");
        }
        return pool(input, kernel, stride, padding);
    }

    @Override
    public final String toString() {
        return getClass().getSimpleName() + "(" + kernel + (stride != kernel ? ", stride " + stride : "")
                + (padding != 0 ? ", padding " + padding : "") + ")";
    }
}
