package dev.myelin.nn;

import dev.myelin.autograd.Ops;
import dev.myelin.backend.Activation;
import dev.myelin.tensor.Tensor;

/**
 * A parameter-free element-wise activation. {@link Sequential} fuses one that follows a
 * {@link Linear} into the linear's bias pass.
 */
public abstract class ActivationLayer extends Module {
    private final Activation activation;

    protected ActivationLayer(Activation activation) {
        this.activation = activation;
    }

    public final Activation activation() {
        return activation;
    }

    @Override
    public final Tensor forward(Tensor input) {
        return Ops.activation(input, activation);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "()";
    }
}
