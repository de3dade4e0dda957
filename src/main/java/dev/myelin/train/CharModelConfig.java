package dev.myelin.train;

import dev.myelin.checkpoint.Checkpoint;
import dev.myelin.checkpoint.CheckpointException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of a character-level language model ({@link CharModels}), all a checkpoint needs besides
 * the weights and the vocabulary to rebuild it.
 *
 * @param model      char-lstm, char-gru, char-rnn or char-transformer
 * @param vocabulary number of distinct characters (input ids and output classes)
 * @param layers     stacked recurrent layers, or Transformer blocks
 * @param hidden     recurrent hidden size (0 for the transformer)
 * @param embedding  character embedding size; the transformer's width (dim)
 * @param heads      attention heads (0 for the recurrent models)
 * @param context    characters per training chunk; the transformer's maximum context (its positional table)
 * @param dropout    between recurrent layers, or on the transformer's residual branches
 */
public record CharModelConfig(String model, int vocabulary, int layers, int hidden, int embedding, int heads,
                              int context, float dropout) {
    static final String PREFIX = "char.";
    /** The metadata key of the vocabulary: its characters in id order, as one string. */
    public static final String VOCABULARY = PREFIX + "vocabulary";

    public CharModelConfig {
        if (!CharModels.NAMES.contains(model)) {
            throw new IllegalArgumentException("unknown character model '" + model + "' (expected one of " + CharModels.NAMES + ")");
        }
        boolean transformer = CharModels.isTransformer(model);
        require(vocabulary >= 1, "vocabulary", vocabulary, "at least 1");
        require(layers >= 1, "layers", layers, "at least 1");
        require(embedding >= 1, "embedding", embedding, "at least 1");
        require(context >= 1, "context", context, "at least 1");
        if (transformer) {
            require(heads >= 1, "heads", heads, "at least 1");
            if (embedding % heads != 0) {
                throw new IllegalArgumentException(model + ": the embedding size " + embedding + " (the model's width) must be a multiple of the "
                        + heads + " heads");
            }
            require(hidden == 0, "hidden", hidden, "0 (the transformer's width is the embedding size)");
        } else {
            require(hidden >= 1, "hidden", hidden, "at least 1");
            require(heads == 0, "heads", heads, "0 (only the transformer has attention heads)");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException(model + ": dropout must be in [0, 1), got " + dropout);
        }
    }

    private static void require(boolean ok, String what, int value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(what + " must be " + expected + ", got " + value);
        }
    }

    public boolean isTransformer() {
        return CharModels.isTransformer(model);
    }

    /** For a checkpoint's metadata: char.layers, char.hidden, ... (the model name goes under "model"). */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(PREFIX + "vocabulary_size", Integer.toString(vocabulary));
        m.put(PREFIX + "layers", Integer.toString(layers));
        m.put(PREFIX + "hidden", Integer.toString(hidden));
        m.put(PREFIX + "embedding", Integer.toString(embedding));
        m.put(PREFIX + "heads", Integer.toString(heads));
        m.put(PREFIX + "context", Integer.toString(context));
        m.put(PREFIX + "dropout", Float.toString(dropout));
        return m;
    }

    /** The configuration a checkpoint's metadata holds. */
    public static CharModelConfig fromMetadata(Checkpoint checkpoint) {
        try {
            return new CharModelConfig(checkpoint.modelName(),
                    checkpoint.requireInt(PREFIX + "vocabulary_size"),
                    checkpoint.requireInt(PREFIX + "layers"),
                    checkpoint.requireInt(PREFIX + "hidden"),
                    checkpoint.requireInt(PREFIX + "embedding"),
                    checkpoint.requireInt(PREFIX + "heads"),
                    checkpoint.requireInt(PREFIX + "context"),
                    checkpoint.requireFloat(PREFIX + "dropout"));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(checkpoint.file() + ": damaged checkpoint: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return model + " (" + layers + " " + (isTransformer() ? "blocks, width " + embedding + ", " + heads + " heads"
                : "layers, hidden " + hidden + ", embedding " + embedding) + ", context " + context
                + (dropout > 0 ? ", dropout " + dropout : "") + ", " + vocabulary + " characters)";
    }
}
