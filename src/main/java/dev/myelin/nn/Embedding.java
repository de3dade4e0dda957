package dev.myelin.nn;

import dev.myelin.autograd.SequenceOps;
import dev.myelin.backend.Backend;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * A lookup table of {@code count} vectors of {@code dim} values, as torch.nn.Embedding: ids of any
 * shape (token ids held as floats) give ids.shape + [dim]. The weight [count, dim] starts N(0, 1), as
 * PyTorch's does.
 */
public final class Embedding extends Module {
    private final int count;
    private final int dim;
    private final Parameter weight;

    public Embedding(Backend backend, int count, int dim, SplittableRandom random) {
        if (count <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Embedding(" + count + ", " + dim + "): sizes must be positive");
        }
        this.count = count;
        this.dim = dim;
        Tensor w = Tensor.owned(backend, Shape.of(count, dim));
        Init.normal(w, 0, 1, random);
        this.weight = registerParameter("weight", w);
    }

    public Parameter weight() {
        return weight;
    }

    public int count() {
        return count;
    }

    public int dim() {
        return dim;
    }

    @Override
    public Tensor forward(Tensor ids) {
        return SequenceOps.embedding(weight.data(), ids);
    }

    @Override
    public String toString() {
        return "Embedding(" + count + ", " + dim + ")";
    }
}
