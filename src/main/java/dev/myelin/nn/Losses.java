package dev.myelin.nn;

import dev.myelin.autograd.Ops;
import dev.myelin.tensor.Tensor;

/** Losses are functions of (prediction, target), as in torch.nn.functional. */
public final class Losses {
    private Losses() {
    }

    /** A loss: one-element tensor from a prediction and a target. */
    @FunctionalInterface
    public interface Loss {
        Tensor apply(Tensor prediction, Tensor target);
    }

    /** Mean cross-entropy of softmax(logits) against class labels (class indices held as floats). */
    public static Tensor crossEntropy(Tensor logits, Tensor labels) {
        return Ops.crossEntropy(logits, labels);
    }

    /** Mean squared error. */
    public static Tensor mse(Tensor prediction, Tensor target) {
        return Ops.mse(prediction, target);
    }
}
