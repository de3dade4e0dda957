package dev.myelin.optim;

import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Updates parameters from their gradients, like torch.optim.Optimizer. Each update is one fused
 * backend op per parameter; state (momentum, moments) lives on the parameter's backend, owned here.
 */
public abstract class Optimizer implements AutoCloseable {
    protected final List<Parameter> parameters;
    private final List<Tensor> state = new ArrayList<>();
    private float learningRate;

    protected Optimizer(List<Parameter> parameters, float learningRate) {
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("optimizer given no parameters");
        }
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + learningRate);
        }
        this.parameters = List.copyOf(parameters);
        this.learningRate = learningRate;
    }

    /** Applies one update to every parameter that has a gradient. */
    public abstract void step();

    /** Zeroes every gradient; call before each backward pass, as in PyTorch. */
    public void zeroGrad() {
        for (Parameter p : parameters) {
            p.data().zeroGrad();
        }
    }

    public float learningRate() {
        return learningRate;
    }

    /** For learning-rate schedules. */
    public void setLearningRate(float learningRate) {
        this.learningRate = learningRate;
    }

    /** A zeroed state tensor shaped like p, released with the optimizer. */
    protected Tensor newState(Parameter p) {
        Tensor t = Tensor.owned(p.data().backend(), Shape.of(p.shape().dims()));
        t.backend().fill(t.buffer(), 0, t.size(), 0f);
        state.add(t);
        return t;
    }

    @Override
    public void close() {
        state.forEach(Tensor::close);
        state.clear();
    }
}
