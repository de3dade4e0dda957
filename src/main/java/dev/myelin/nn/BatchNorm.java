package dev.myelin.nn;

import dev.myelin.autograd.ConvOps;
import dev.myelin.backend.Backend;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

/**
 * Batch normalisation over channel dimension 1, the common part of {@link BatchNorm1d} and
 * {@link BatchNorm2d}: weight (gamma, 1) and bias (beta, 0) are parameters; running_mean (0) and
 * running_var (1) are buffers, updated with {@code momentum} in training mode and used in eval mode.
 */
public abstract class BatchNorm extends Module {
    private final int features;
    private final float eps;
    private final float momentum;
    private final int rank;
    private final Parameter weight;
    private final Parameter bias;
    private final Tensor runningMean;
    private final Tensor runningVar;

    protected BatchNorm(Backend backend, int features, float eps, float momentum, int rank) {
        if (features <= 0 || !(eps > 0) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + features + ", eps " + eps + ", momentum "
                    + momentum + "): features must be positive, eps > 0, momentum in [0, 1]");
        }
        this.features = features;
        this.eps = eps;
        this.momentum = momentum;
        this.rank = rank;
        Tensor w = Tensor.owned(backend, Shape.of(features));
        backend.fill(w.buffer(), 0, features, 1f);
        this.weight = registerParameter("weight", w);
        Tensor b = Tensor.owned(backend, Shape.of(features));
        backend.fill(b.buffer(), 0, features, 0f);
        this.bias = registerParameter("bias", b);
        this.runningMean = registerBuffer("running_mean", Tensor.owned(backend, Shape.of(features)));
        backend.fill(runningMean.buffer(), 0, features, 0f);
        this.runningVar = registerBuffer("running_var", Tensor.owned(backend, Shape.of(features)));
        backend.fill(runningVar.buffer(), 0, features, 1f);
    }

    public Tensor runningMean() {
        return runningMean;
    }

    public Tensor runningVar() {
        return runningVar;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor input) {
        var s = input.shape();
        if (s.rank() != rank || s.dim(1) != features) {
            throw new IllegalArgumentException(this + ": input of shape " + s + " must be "
                    + (rank == 2 ? "[N, " + features + "]" : "[N, " + features + ", H, W]"));
        }
        if (isTraining() && s.size() / features < 2) {
            throw new IllegalArgumentException(this + ": training needs more than one value per channel, got input of shape " + s);
        }
        return ConvOps.batchNorm(input, weight.data(), bias.data(), runningMean, runningVar, isTraining(), momentum, eps);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + features + ")";
    }
}
