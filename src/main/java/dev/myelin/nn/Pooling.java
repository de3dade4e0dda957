package dev.myelin.nn;

import dev.myelin.tensor.Tensor;

final class Pooling {
    private Pooling() {
    }

    static void check(Module layer, Tensor input, int kernel, int padding) {
        var s = input.shape();
        if (s.rank() != 4) {
            throw new IllegalArgumentException(layer + ": input of shape " + s + " must be [N, C, H, W]");
        }
        if (s.dim(2) + 2 * padding < kernel || s.dim(3) + 2 * padding < kernel) {
            throw new IllegalArgumentException(layer + ": input of shape " + s + " is smaller than the "
                    + kernel + "x" + kernel + " window");
        }
    }
}
