package dev.myelin.optim;

import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;

import java.util.List;
import java.util.Map;

/** Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay (torch.optim.SGD). */
public final class Sgd extends Optimizer {
    private final float momentum;
    private final float weightDecay;
    private final boolean nesterov;
    private final Tensor[] velocity;

    public Sgd(List<Parameter> parameters, float learningRate) {
        this(parameters, learningRate, 0f, 0f, false);
    }

    public Sgd(List<Parameter> parameters, float learningRate, float momentum, float weightDecay, boolean nesterov) {
        super(parameters, learningRate);
        if (momentum < 0 || weightDecay < 0) {
            throw new IllegalArgumentException("momentum and weight decay must be >= 0, got " + momentum + " and " + weightDecay);
        }
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("Nesterov momentum needs momentum > 0");
        }
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.velocity = new Tensor[this.parameters.size()];
    }

    @Override
    public String name() {
        return "sgd";
    }

    @Override
    public Map<String, String> hyperparameters() {
        Map<String, String> h = super.hyperparameters();
        h.put("momentum", Float.toString(momentum));
        h.put("weight_decay", Float.toString(weightDecay));
        h.put("nesterov", Boolean.toString(nesterov));
        return h;
    }

    @Override
    protected Map<String, Tensor[]> stateSlots() {
        return momentum == 0 ? Map.of() : Map.of("momentum_buffer", velocity);
    }

    @Override
    public void step() {
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            Tensor grad = p.grad();
            if (grad == null) {
                continue;
            }
            if (momentum != 0 && velocity[i] == null) {
                velocity[i] = newState(p);
            }
            p.data().backend().sgdUpdate(p.data().buffer(), grad.buffer(),
                    velocity[i] == null ? null : velocity[i].buffer(), p.size(),
                    learningRate(), momentum, weightDecay, nesterov);
        }
    }
}
