package dev.myelin.optim;

import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Adadelta as torch.optim.Adadelta (defaults lr 1.0, rho 0.9, eps 1e-6), one fused backend op per parameter. */
public final class Adadelta extends Optimizer {
    private final float rho;
    private final float eps;
    private final float weightDecay;
    private final Tensor[] squareAvg;
    private final Tensor[] accDelta;

    public Adadelta(List<Parameter> parameters) {
        this(parameters, 1.0f, 0.9f, 1e-6f, 0f);
    }

    public Adadelta(List<Parameter> parameters, float learningRate, float rho, float eps, float weightDecay) {
        super(parameters, learningRate);
        if (!(rho >= 0 && rho <= 1) || !(eps > 0) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("Adadelta needs rho in [0, 1], eps > 0 and weight decay >= 0, got "
                    + rho + ", " + eps + " and " + weightDecay);
        }
        this.rho = rho;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.squareAvg = new Tensor[this.parameters.size()];
        this.accDelta = new Tensor[this.parameters.size()];
    }

    @Override
    public String name() {
        return "adadelta";
    }

    @Override
    public Map<String, String> hyperparameters() {
        Map<String, String> h = super.hyperparameters();
        h.put("rho", Float.toString(rho));
        h.put("eps", Float.toString(eps));
        h.put("weight_decay", Float.toString(weightDecay));
        return h;
    }

    @Override
    protected Map<String, Tensor[]> stateSlots() {
        Map<String, Tensor[]> slots = new LinkedHashMap<>();
        slots.put("square_avg", squareAvg);
        slots.put("acc_delta", accDelta);
        return slots;
    }

    @Override
    public void step() {
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            Tensor grad = p.grad();
            if (grad == null) {
                continue;
            }
            if (squareAvg[i] == null) {
                squareAvg[i] = newState(p);
            }
            if (accDelta[i] == null) {
                accDelta[i] = newState(p);
            }
            p.data().backend().adadeltaUpdate(p.data().buffer(), grad.buffer(), squareAvg[i].buffer(),
                    accDelta[i].buffer(), p.size(), learningRate(), rho, eps, weightDecay);
        }
    }
}
