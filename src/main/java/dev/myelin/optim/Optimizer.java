package dev.myelin.optim;

import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    // ---------------------------------------------------------------- state, for checkpoints

    /** The name torch.optim gives this optimizer's class, lower case ("adam", "sgd"). */
    public abstract String name();

    /** Hyperparameters by PyTorch's names ("lr", "momentum", "betas", ...), as text for a checkpoint. */
    public Map<String, String> hyperparameters() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("lr", Float.toString(learningRate));
        return h;
    }

    /**
     * Per-parameter state by PyTorch's names ("exp_avg", "momentum_buffer"): for each name, one slot per
     * parameter, in {@link #parameters()} order, null until the first update made it.
     */
    protected abstract Map<String, Tensor[]> stateSlots();

    /** The names of the per-parameter state tensors, in a fixed order. */
    public final List<String> stateNames() {
        return List.copyOf(stateSlots().keySet());
    }

    /** State {@code name} of parameter {@code index}, or null before the first update. */
    public final Tensor state(String name, int index) {
        Tensor[] slots = stateSlots().get(name);
        if (slots == null) {
            throw new IllegalArgumentException(name() + " has no state '" + name + "' (it has " + stateNames() + ")");
        }
        return slots[index];
    }

    /** State {@code name} of parameter {@code index}, made (zeroed) when missing, for loading into. */
    public final Tensor stateForLoading(String name, int index) {
        Tensor[] slots = stateSlots().get(name);
        if (slots == null) {
            throw new IllegalArgumentException(name() + " has no state '" + name + "' (it has " + stateNames() + ")");
        }
        if (slots[index] == null) {
            slots[index] = newState(parameters.get(index));
        }
        return slots[index];
    }

    /** The parameters this optimizer updates, in order. */
    public final List<Parameter> parameters() {
        return parameters;
    }

    /** Updates taken so far, for optimizers whose update depends on it (Adam's bias correction); else 0. */
    public int steps() {
        return 0;
    }

    /** Restores the update count from a checkpoint. */
    public void setSteps(int steps) {
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
