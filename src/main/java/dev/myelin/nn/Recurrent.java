package dev.myelin.nn;

import dev.myelin.autograd.ConvOps;
import dev.myelin.autograd.RecurrentOps;
import dev.myelin.backend.Backend;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What {@link RNN}, {@link LSTM} and {@link GRU} share, as torch.nn.RNNBase with batch_first=True:
 * {@code numLayers} layers stacked (layer l + 1 reads layer l's output, through dropout in training
 * mode when {@code dropout} > 0, none after the last), parameters named and shaped as PyTorch's
 * (weight_ih_l{l} [gates * hidden, in], weight_hh_l{l} [gates * hidden, hidden], bias_ih_l{l},
 * bias_hh_l{l} [gates * hidden], registered in that order) and drawn, in that order, from
 * U(-1/sqrt(hidden), 1/sqrt(hidden)) as PyTorch draws them.
 *
 * <p>Each layer runs as one op over the whole chunk; {@link #forward(Tensor, RecurrentState)} takes
 * and returns the {@link RecurrentState} so a caller can carry it across chunks.
 */
public abstract sealed class Recurrent extends Module permits RNN, LSTM, GRU {
    /** The outputs of a stacked recurrent layer: the last layer's hidden state at every step [batch, time, hidden], and the final state. */
    public record Output(Tensor output, RecurrentState state) {
    }

    private final int inputSize;
    private final int hiddenSize;
    private final int numLayers;
    private final float dropout;
    private final SplittableRandom dropoutSeeds;
    private final List<Parameter[]> layers = new ArrayList<>();

    protected Recurrent(Backend backend, int inputSize, int hiddenSize, int numLayers, float dropout, int gates,
                        SplittableRandom random) {
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + inputSize + ", " + hiddenSize + ", layers "
                    + numLayers + "): sizes and layers must be positive");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": dropout " + dropout + " must be in [0, 1)");
        }
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.dropout = dropout;
        double bound = 1 / Math.sqrt(hiddenSize);
        for (int l = 0; l < numLayers; l++) {
            int in = l == 0 ? inputSize : hiddenSize;
            Parameter[] p = {
                    parameter(backend, "weight_ih_l" + l, bound, random, gates * hiddenSize, in),
                    parameter(backend, "weight_hh_l" + l, bound, random, gates * hiddenSize, hiddenSize),
                    parameter(backend, "bias_ih_l" + l, bound, random, gates * hiddenSize),
                    parameter(backend, "bias_hh_l" + l, bound, random, gates * hiddenSize)};
            layers.add(p);
        }
        // Drawn after the weights, so the weights do not depend on whether there is dropout.
        this.dropoutSeeds = new SplittableRandom(random.nextLong());
    }

    private Parameter parameter(Backend backend, String name, double bound, SplittableRandom random, int... dims) {
        Tensor t = Tensor.owned(backend, Shape.of(dims));
        Init.uniform(t, bound, random);
        return registerParameter(name, t);
    }

    public int inputSize() {
        return inputSize;
    }

    public int hiddenSize() {
        return hiddenSize;
    }

    public int numLayers() {
        return numLayers;
    }

    public float dropout() {
        return dropout;
    }

    /** Whether the state has a cell part (an LSTM's). */
    protected abstract boolean hasCell();

    /** One layer over the chunk: weights are {weight_ih, weight_hh, bias_ih, bias_hh}; c0 is null without a cell. */
    protected abstract RecurrentOps.RecurrentResult layer(Tensor x, Tensor h0, Tensor c0, Tensor[] weights);

    /** The output at every step, starting from a zero state. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null).output();
    }

    /**
     * Runs the chunk {@code input} [batch, time, inputSize] from {@code state} (null for zeros), and
     * returns every step's output and the final state (detached; in the scope open now).
     */
    public Output forward(Tensor input, RecurrentState state) {
        Shape s = input.shape();
        if (s.rank() != 3 || s.dim(2) != inputSize) {
            throw new IllegalArgumentException(this + ": input of shape " + s + " must be [batch, time, " + inputSize + "]");
        }
        if (state != null) {
            checkState(state, s.dim(0));
        }
        List<Tensor> hidden = new ArrayList<>();
        List<Tensor> cell = hasCell() ? new ArrayList<>() : null;
        Tensor x = input;
        for (int l = 0; l < numLayers; l++) {
            if (l > 0 && dropout > 0 && isTraining()) {
                x = ConvOps.dropout(x, dropout, dropoutSeeds.nextLong());
            }
            Parameter[] p = layers.get(l);
            Tensor[] weights = {p[0].data(), p[1].data(), p[2].data(), p[3].data()};
            Tensor h0 = state == null ? null : state.hidden().get(l);
            Tensor c0 = state == null || !hasCell() ? null : state.cell().get(l);
            RecurrentOps.RecurrentResult r = layer(x, h0, c0, weights);
            hidden.add(r.finalHidden());
            if (cell != null) {
                cell.add(r.finalCell());
            }
            x = r.output();
        }
        return new Output(x, new RecurrentState(hidden, cell));
    }

    private void checkState(RecurrentState state, int batch) {
        if (state.layers() != numLayers || (state.cell() != null) != hasCell()) {
            throw new IllegalArgumentException(this + ": state of " + state.layers() + " layer(s)"
                    + (state.cell() != null ? " with" : " without") + " cell states does not fit " + numLayers + " layer(s)"
                    + (hasCell() ? " with" : " without") + " cell states");
        }
        List<Tensor> all = new ArrayList<>(state.hidden());
        if (state.cell() != null) {
            all.addAll(state.cell());
        }
        for (Tensor t : all) {
            if (t.shape().rank() != 2 || t.dim(0) != batch || t.dim(1) != hiddenSize) {
                throw new IllegalArgumentException(this + ": state tensor of shape " + t.shape() + " must be ["
                        + batch + ", " + hiddenSize + "] for input of batch " + batch);
            }
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + inputSize + ", " + hiddenSize
                + (numLayers > 1 ? ", layers " + numLayers : "") + (dropout > 0 ? ", dropout " + dropout : "") + ")";
    }
}
