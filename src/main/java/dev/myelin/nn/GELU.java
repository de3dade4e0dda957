package dev.myelin.nn;

import dev.myelin.autograd.SequenceOps;
import dev.myelin.tensor.Tensor;

/**
 * The Gaussian error linear unit in its tanh approximation, as torch.nn.GELU(approximate='tanh'):
 * 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
 */
public final class GELU extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return SequenceOps.gelu(input);
    }

    @Override
    public String toString() {
        return "GELU(tanh)";
    }
}
