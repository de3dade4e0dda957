package dev.myelin.nn;

import dev.myelin.autograd.Ops;
import dev.myelin.autograd.SequenceOps;
import dev.myelin.backend.Backend;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Learned absolute positions: a weight [context, dim] (N(0, 1), as torch.nn.Embedding's) whose row t is
 * added to step t of every sequence. {@code forward(x)} for x [batch, time, dim] with time <= context
 * is x + weight[:time], the same as PyTorch's {@code x + pos(torch.arange(time))}.
 */
public final class PositionalEmbedding extends Module {
    private final int context;
    private final int dim;
    private final Parameter weight;

    public PositionalEmbedding(Backend backend, int context, int dim, SplittableRandom random) {
        if (context <= 0 || dim <= 0) {
            throw new IllegalArgumentException("PositionalEmbedding(" + context + ", " + dim + "): sizes must be positive");
        }
        this.context = context;
        this.dim = dim;
        Tensor w = Tensor.owned(backend, Shape.of(context, dim));
        Init.normal(w, 0, 1, random);
        this.weight = registerParameter("weight", w);
    }

    public Parameter weight() {
        return weight;
    }

    public int context() {
        return context;
    }

    @Override
    public Tensor forward(Tensor input) {
        Shape s = input.shape();
        if (s.rank() != 3 || s.dim(2) != dim || s.dim(1) > context) {
            throw new IllegalArgumentException(this + ": input of shape " + s + " must be [batch, time <= " + context
                    + ", " + dim + "]");
        }
        int time = s.dim(1);
        Tensor positions = time == context ? weight.data() : SequenceOps.slice(weight.data(), 0, 0, time);
        // Seen as [batch, time * dim], the positions are one row broadcast over the batch.
        Tensor sum = Ops.add(input.reshape(s.dim(0), time * dim), positions.reshape(time * dim));
        return sum.reshape(s.dims());
    }

    @Override
    public String toString() {
        return "PositionalEmbedding(" + context + ", " + dim + ")";
    }
}
