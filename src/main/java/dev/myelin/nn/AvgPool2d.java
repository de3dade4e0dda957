package dev.myelin.nn;

import dev.myelin.autograd.ConvOps;
import dev.myelin.tensor.Tensor;

/** Average pooling over NCHW input with a square window, as torch.nn.AvgPool2d (count_include_pad). */
public final class AvgPool2d extends Module {
    private final int kernel;
    private final int stride;
    private final int padding;

    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public AvgPool2d(int kernel, int stride, int padding) {
        if (kernel <= 0 || stride <= 0 || padding < 0 || 2 * padding > kernel) {
            throw new IllegalArgumentException("AvgPool2d(" + kernel + ", stride " + stride + ", padding " + padding
                    + "): kernel and stride must be positive, padding at most half the kernel");
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor input) {
        Pooling.check(this, input, kernel, padding);
        return ConvOps.avgPool2d(input, kernel, stride, padding);
    }

    @Override
    public String toString() {
        return "AvgPool2d(" + kernel + (stride != kernel ? ", stride " + stride : "") + (padding != 0 ? ", padding " + padding : "") + ")";
    }
}
