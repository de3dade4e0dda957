package dev.myelin.nn;

import dev.myelin.tensor.Tensor;

/** [N, d1, d2, ...] to [N, d1 * d2 * ...], as torch.nn.Flatten; free (a view). */
public final class Flatten extends Module {
    @Override
    public Tensor forward(Tensor input) {
        if (input.shape().rank() < 1) {
            throw new IllegalArgumentException(this + ": input of shape " + input.shape() + " has no batch dimension");
        }
        int n = input.dim(0);
        return input.reshape(n, n == 0 ? 0 : input.size() / n);
    }

    @Override
    public String toString() {
        return "Flatten()";
    }
}
