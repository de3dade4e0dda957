package dev.myelin.nn;

import dev.myelin.autograd.ConvOps;
import dev.myelin.tensor.Tensor;

/** Max pooling, as torch.nn.MaxPool2d (stride defaults to the kernel). */
public final class MaxPool2d extends Pool2d {
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxPool2d(int kernel, int stride, int padding) {
        super(kernel, stride, padding);
    }

    @Override
    Tensor pool(Tensor input, int kernel, int stride, int padding) {
        return ConvOps.maxPool2d(input, kernel, stride, padding);
    }
}
