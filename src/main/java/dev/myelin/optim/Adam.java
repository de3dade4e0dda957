package dev.myelin.optim;

import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (torch.optim.Adam), with L2 weight decay folded into the gradient; with
 * {@code decoupledWeightDecay} it is AdamW.
 */
public final class Adam extends Optimizer {
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final boolean decoupledWeightDecay;
    private final Tensor[] m;
    private final Tensor[] v;
    private int steps;

    public Adam(List<Parameter> parameters, float learningRate) {
        this(parameters, learningRate, 0.9f, 0.999f, 1e-8f, 0f, false);
    }

    public Adam(List<Parameter> parameters, float learningRate, float beta1, float beta2, float eps,
                float weightDecay, boolean decoupledWeightDecay) {
        super(parameters, learningRate);
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam betas must be in [0, 1), got " + beta1 + " and " + beta2);
        }
        if (!(eps > 0) || weightDecay < 0) {
            throw new IllegalArgumentException("Adam needs eps > 0 and weight decay >= 0, got " + eps + " and " + weightDecay);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupledWeightDecay = decoupledWeightDecay;
        this.m = new Tensor[this.parameters.size()];
        this.v = new Tensor[this.parameters.size()];
    }

    /** Updates taken so far (sets the bias correction). */
    @Override
    public int steps() {
        return steps;
    }

    @Override
    public void setSteps(int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        this.steps = steps;
    }

    @Override
    public String name() {
        return decoupledWeightDecay ? "adamw" : "adam";
    }

    @Override
    public Map<String, String> hyperparameters() {
        Map<String, String> h = super.hyperparameters();
        h.put("betas", "[" + beta1 + ", " + beta2 + "]");
        h.put("eps", Float.toString(eps));
        h.put("weight_decay", Float.toString(weightDecay));
        return h;
    }

    @Override
    protected Map<String, Tensor[]> stateSlots() {
        Map<String, Tensor[]> slots = new LinkedHashMap<>();
        slots.put("exp_avg", m);
        slots.put("exp_avg_sq", v);
        return slots;
    }

    @Override
    public void step() {
        steps++;
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            Tensor grad = p.grad();
            if (grad == null) {
                continue;
            }
            if (m[i] == null) {
                m[i] = newState(p);
            }
            if (v[i] == null) {
                v[i] = newState(p);
            }
            p.data().backend().adamUpdate(p.data().buffer(), grad.buffer(), m[i].buffer(), v[i].buffer(), p.size(),
                    learningRate(), beta1, beta2, eps, weightDecay, decoupledWeightDecay, steps);
        }
    }
}
