package dev.myelin.nn;

import dev.myelin.autograd.RecurrentOps;
import dev.myelin.backend.Backend;
import dev.myelin.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * As torch.nn.LSTM(batch_first=True): long short-term memory, gates in PyTorch's order i, f, g, o.
 * Weights are [4 * hidden, in] and [4 * hidden, hidden]; see {@link Recurrent} for stacking, names and initialisation.
 */
public final class LSTM extends Recurrent {
    public LSTM(Backend backend, int inputSize, int hiddenSize, SplittableRandom random) {
        this(backend, inputSize, hiddenSize, 1, 0f, random);
    }

    /** @param dropout applied to every layer's output but the last's, in training mode */
    public LSTM(Backend backend, int inputSize, int hiddenSize, int numLayers, float dropout, SplittableRandom random) {
        super(backend, inputSize, hiddenSize, numLayers, dropout, 4, random);
    }

    @Override
    protected boolean hasCell() {
        return true;
    }

    @Override
    protected RecurrentOps.RecurrentResult layer(Tensor x, Tensor h0, Tensor c0, Tensor[] w) {
        return RecurrentOps.lstm(x, h0, c0, w[0], w[1], w[2], w[3]);
    }
}
