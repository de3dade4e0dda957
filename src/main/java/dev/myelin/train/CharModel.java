package dev.myelin.train;

import dev.myelin.nn.Module;
import dev.myelin.nn.RecurrentState;
import dev.myelin.tensor.Tensor;

/**
 * A character-level language model: character ids [batch, time] (as floats) to logits
 * [batch, time, vocabulary] predicting each next character. A recurrent one carries a
 * {@link RecurrentState} from chunk to chunk; the transformer sees each chunk on its own.
 */
public abstract sealed class CharModel extends Module permits CharRecurrentModel, CharTransformer {
    /** The logits of a chunk and the state to carry into the next (null for the transformer). */
    public record Step(Tensor logits, RecurrentState state) {
    }

    private final CharModelConfig config;

    protected CharModel(CharModelConfig config) {
        this.config = config;
    }

    public final CharModelConfig config() {
        return config;
    }

    /** Whether {@link #forward(Tensor, RecurrentState)} returns a state worth carrying to the next chunk. */
    public abstract boolean carriesState();

    /** The logits of chunk {@code ids} [batch, time] from {@code state} (null to start afresh; ignored by the transformer). */
    public abstract Step forward(Tensor ids, RecurrentState state);

    /** The logits from a fresh start. */
    @Override
    public final Tensor forward(Tensor ids) {
        return forward(ids, null).logits();
    }

    protected final void checkIds(Tensor ids) {
        if (ids.shape().rank() != 2) {
            throw new IllegalArgumentException(config.model() + ": input of shape " + ids.shape()
                    + " must be character ids [batch, time]");
        }
    }
}
