package dev.myelin.nn;

import dev.myelin.autograd.SequenceOps;
import dev.myelin.backend.Backend;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

/**
 * Layer normalisation over the last axis, as torch.nn.LayerNorm(dim): weight (gamma) starts at 1,
 * bias (beta) at 0, eps 1e-5 unless given.
 */
public final class LayerNorm extends Module {
    private final int dim;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    public LayerNorm(Backend backend, int dim) {
        this(backend, dim, 1e-5f);
    }

    public LayerNorm(Backend backend, int dim, float eps) {
        if (dim <= 0 || !(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm(" + dim + ", eps " + eps + "): dim and eps must be positive");
        }
        this.dim = dim;
        this.eps = eps;
        Tensor w = Tensor.owned(backend, Shape.of(dim));
        Init.ones(w);
        this.weight = registerParameter("weight", w);
        Tensor b = Tensor.owned(backend, Shape.of(dim));
        Init.zeros(b);
        this.bias = registerParameter("bias", b);
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.shape().rank() == 0 || input.shape().cols() != dim) {
            throw new IllegalArgumentException(this + ": input of shape " + input.shape() + " must end in " + dim);
        }
        return SequenceOps.layerNorm(input, weight.data(), bias.data(), eps);
    }

    @Override
    public String toString() {
        return "LayerNorm(" + dim + ")";
    }
}
