package dev.myelin.nn;

import dev.myelin.autograd.Ops;
import dev.myelin.tensor.Tensor;

/** Softmax along the last axis. For training a classifier, prefer raw logits with {@link Losses#crossEntropy}. */
public final class Softmax extends Module {
    @Override
    public Tensor forward(Tensor input) {
        return Ops.softmax(input);
    }

    @Override
    public String toString() {
        return "Softmax()";
    }
}
