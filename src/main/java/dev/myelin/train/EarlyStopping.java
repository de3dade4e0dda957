package dev.myelin.train;

import dev.myelin.backend.Backend;
import dev.myelin.nn.Module;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Early stopping on validation loss: after each epoch {@link #update} is given the loss; an improvement
 * (lower by more than minDelta) copies every parameter and buffer into tensors owned here (a device copy,
 * no host round trip); {@code patience} epochs in a row without one say stop. {@link #restoreBest}
 * copies the best weights back into the model.
 */
public final class EarlyStopping implements AutoCloseable {
    private final int patience;
    private final double minDelta;
    private final List<Tensor> live = new ArrayList<>();
    private final List<Tensor> snapshot = new ArrayList<>();
    private double best = Double.POSITIVE_INFINITY;
    private int bestEpoch;
    private int sinceBest;

    public EarlyStopping(int patience) {
        this(patience, 0);
    }

    public EarlyStopping(int patience, double minDelta) {
        if (patience < 1) {
            throw new IllegalArgumentException("early stopping patience must be at least 1, got " + patience);
        }
        this.patience = patience;
        this.minDelta = minDelta;
    }

    /** Records one epoch's validation loss; returns true when training should stop. */
    public boolean update(Module model, int epoch, double validationLoss) {
        if (validationLoss < best - minDelta) {
            best = validationLoss;
            bestEpoch = epoch;
            sinceBest = 0;
            snapshot(model);
            return false;
        }
        sinceBest++;
        return sinceBest >= patience;
    }

    private void snapshot(Module model) {
        if (live.isEmpty()) {
            for (Parameter p : model.parameters()) {
                live.add(p.data());
            }
            for (Map.Entry<String, Tensor> b : model.namedBuffers().entrySet()) {
                live.add(b.getValue());
            }
            for (Tensor t : live) {
                snapshot.add(Tensor.owned(t.backend(), t.shape()));
            }
        }
        for (int i = 0; i < live.size(); i++) {
            Tensor from = live.get(i);
            Backend be = from.backend();
            be.copy(from.buffer(), 0, snapshot.get(i).buffer(), 0, from.size());
        }
    }

    /** Copies the best epoch's weights back; returns that epoch (0 when none was recorded). */
    public int restoreBest() {
        for (int i = 0; i < snapshot.size(); i++) {
            Tensor to = live.get(i);
            to.backend().copy(snapshot.get(i).buffer(), 0, to.buffer(), 0, to.size());
        }
        return bestEpoch;
    }

    public double bestLoss() {
        return best;
    }

    public int bestEpoch() {
        return bestEpoch;
    }

    @Override
    public void close() {
        snapshot.forEach(Tensor::close);
        snapshot.clear();
        live.clear();
    }
}
