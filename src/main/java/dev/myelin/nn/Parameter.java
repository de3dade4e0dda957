package dev.myelin.nn;

import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

/**
 * A trainable tensor owned by a module. Its data and gradient live outside every scope for the
 * module's whole life; optimizers update it in place.
 */
public final class Parameter {
    private final Tensor data;

    public Parameter(Tensor data) {
        this.data = data.keep().requiresGrad(true);
    }

    public Tensor data() {
        return data;
    }

    /** The gradient accumulated by the last backward passes, or null before the first. */
    public Tensor grad() {
        return data.grad();
    }

    public Shape shape() {
        return data.shape();
    }

    public int size() {
        return data.size();
    }

    void close() {
        data.close();
    }
}
