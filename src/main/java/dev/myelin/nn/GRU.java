package dev.myelin.nn;

import dev.myelin.autograd.RecurrentOps;
import dev.myelin.backend.Backend;
import dev.myelin.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * As torch.nn.GRU(batch_first=True): gated recurrent units, gates in PyTorch's order r, z, n.
 * Weights are [3 * hidden, in] and [3 * hidden, hidden]; see {@link Recurrent} for stacking, names and initialisation.
 */
public final class GRU extends Recurrent {
    public GRU(Backend backend, int inputSize, int hiddenSize, SplittableRandom random) {
        this(backend, inputSize, hiddenSize, 1, 0f, random);
    }

    /** @param dropout applied to every layer's output but the last's, in training mode */
    public GRU(Backend backend, int inputSize, int hiddenSize, int numLayers, float dropout, SplittableRandom random) {
        super(backend, inputSize, hiddenSize, numLayers, dropout, 3, random);
    }

    @Override
    protected boolean hasCell() {
        return false;
    }

    @Override
    protected RecurrentOps.RecurrentResult layer(Tensor x, Tensor h0, Tensor c0, Tensor[] w) {
        return RecurrentOps.gru(x, h0, w[0], w[1], w[2], w[3]);
    }
}
