package dev.myelin.nn;

import dev.myelin.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The state a stacked recurrent layer ({@link RNN}, {@link LSTM}, {@link GRU}) carries from one chunk
 * of a sequence to the next: per layer, the hidden state [batch, hidden] and, for an LSTM, the cell
 * state [batch, hidden] ({@code cell} is null otherwise). {@code hidden.get(l)} is PyTorch's
 * {@code h_n[l]}, {@code cell.get(l)} its {@code c_n[l]}.
 *
 * <p>The state a layer returns is detached (no gradient flows back through it), so feeding it to the
 * next chunk is truncated backpropagation through time. Its tensors belong to the scope that was open
 * when it was made; {@link #keep()} takes them out, to carry it across steps that each run in their
 * own scope, and {@link #close()} then releases them.
 */
public record RecurrentState(List<Tensor> hidden, List<Tensor> cell) implements AutoCloseable {
    public RecurrentState {
        if (hidden.isEmpty()) {
            throw new IllegalArgumentException("a recurrent state needs at least one layer");
        }
        if (cell != null && cell.size() != hidden.size()) {
            throw new IllegalArgumentException("a recurrent state with " + hidden.size() + " hidden states has "
                    + cell.size() + " cell states");
        }
        hidden = List.copyOf(hidden);
        cell = cell == null ? null : List.copyOf(cell);
    }

    public int layers() {
        return hidden.size();
    }

    /** Rows of the state: the batch it was computed for. */
    public int batchSize() {
        return hidden.get(0).dim(0);
    }

    /** Takes every tensor out of its scope (see the class comment); returns this. */
    public RecurrentState keep() {
        all().forEach(Tensor::keep);
        return this;
    }

    /** Releases the tensors of a state taken out of its scope by {@link #keep()}. */
    @Override
    public void close() {
        all().forEach(Tensor::close);
    }

    private List<Tensor> all() {
        List<Tensor> all = new ArrayList<>(hidden);
        if (cell != null) {
            all.addAll(cell);
        }
        return all;
    }
}
