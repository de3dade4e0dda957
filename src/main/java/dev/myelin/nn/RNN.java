package dev.myelin.nn;

import dev.myelin.autograd.RecurrentOps;
import dev.myelin.backend.Backend;
import dev.myelin.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * As torch.nn.RNN(batch_first=True): an Elman network with tanh, h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh).
 * Weights are [1 * hidden, in] and [1 * hidden, hidden]; see {@link Recurrent} for stacking, names and initialisation.
 */
public final class RNN extends Recurrent {
    public RNN(Backend backend, int inputSize, int hiddenSize, SplittableRandom random) {
        this(backend, inputSize, hiddenSize, 1, 0f, random);
    }

    /** @param dropout applied to every layer's output but the last's, in training mode */
    public RNN(Backend backend, int inputSize, int hiddenSize, int numLayers, float dropout, SplittableRandom random) {
        super(backend, inputSize, hiddenSize, numLayers, dropout, 1, random);
    }

    @Override
    protected boolean hasCell() {
        return false;
    }

    @Override
    protected RecurrentOps.RecurrentResult layer(Tensor x, Tensor h0, Tensor c0, Tensor[] w) {
        return RecurrentOps.rnn(x, h0, w[0], w[1], w[2], w[3]);
    }
}
