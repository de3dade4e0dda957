package dev.myelin.nn;

import dev.myelin.autograd.Ops;
import dev.myelin.backend.Activation;
import dev.myelin.backend.Backend;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * y = x W^T + b, with W stored [out, in] as PyTorch stores it. Weights start He-uniform (right for the
 * ReLU networks Myelin trains most), biases at zero.
 */
public final class Linear extends Module {
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    public Linear(Backend backend, int in, int out, SplittableRandom random) {
        this(backend, in, out, true, random);
    }

    public Linear(Backend backend, int in, int out, boolean withBias, SplittableRandom random) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("Linear(" + in + " -> " + out + "): sizes must be positive");
        }
        this.in = in;
        this.out = out;
        Tensor w = Tensor.owned(backend, Shape.of(out, in));
        Init.heUniform(w, in, random);
        this.weight = registerParameter("weight", w);
        if (withBias) {
            Tensor b = Tensor.owned(backend, Shape.of(out));
            Init.zeros(b);
            this.bias = registerParameter("bias", b);
        } else {
            this.bias = null;
        }
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    @Override
    public Tensor forward(Tensor input) {
        return forward(input, Activation.IDENTITY);
    }

    /** The layer followed by an activation, fused into one pass over the output. */
    public Tensor forward(Tensor input, Activation activation) {
        if (input.shape().cols() != in) {
            throw new IllegalArgumentException(this + ": input of shape " + input.shape() + " has "
                    + input.shape().cols() + " features per row, expected " + in);
        }
        return Ops.linear(input, weight.data(), bias == null ? null : bias.data(), activation);
    }

    @Override
    public String toString() {
        return "Linear(" + in + " -> " + out + (bias == null ? ", no bias" : "") + ")";
    }
}
