package dev.myelin.nn;

import dev.myelin.autograd.ConvOps;
import dev.myelin.tensor.Tensor;

/** Average pooling, as torch.nn.AvgPool2d (padding counts in the average: count_include_pad). */
public final class AvgPool2d extends Pool2d {
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public AvgPool2d(int kernel, int stride, int padding) {
        super(kernel, stride, padding);
    }

    @Override
    Tensor pool(Tensor input, int kernel, int stride, int padding) {
        return ConvOps.avgPool2d(input, kernel, stride, padding);
    }
}
