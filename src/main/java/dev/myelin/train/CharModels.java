package dev.myelin.train;

import dev.myelin.backend.Backend;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The character-level language models the command line trains, and their defaults:
 * <ul>
 *   <li>char-lstm, char-gru, char-rnn: 2 layers, hidden 256, embedding 64; Adam at lr 8e-3;</li>
 *   <li>char-transformer: 4 blocks, width (embedding) 128, 4 heads; Adam at lr 4e-3;</li>
 * </ul>
 * all with context 128, batch 32, no dropout and gradients clipped to global norm 1.
 *
 * <p>The learning rates are the best of those tried for 200 steps on Moby Dick with a cosine schedule
 * (validation loss in nats/char after 200 steps: LSTM 2.35 at 2e-3, 2.13 at 4e-3, 1.94 at 8e-3;
 * GRU 1.85 and RNN 2.08 at 8e-3; transformer 2.49 at 1e-3, 2.44 at 2e-3, 2.41 at 3e-3, 2.36 at 4e-3).
 */
public final class CharModels {
    public static final List<String> NAMES = List.of("char-lstm", "char-gru", "char-rnn", "char-transformer");

    public static final int DEFAULT_CONTEXT = 128;
    public static final int DEFAULT_BATCH_SIZE = 32;
    public static final float DEFAULT_CLIP_GRAD_NORM = 1f;

    private CharModels() {
    }

    public static boolean isTransformer(String name) {
        return "char-transformer".equals(name);
    }

    /** The default configuration of model {@code name} for a vocabulary of {@code vocabulary} characters. */
    public static CharModelConfig defaults(String name, int vocabulary) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown character model '" + name + "' (expected one of " + NAMES + ")");
        }
        return isTransformer(name)
                ? new CharModelConfig(name, vocabulary, 4, 0, 128, 4, DEFAULT_CONTEXT, 0f)
                : new CharModelConfig(name, vocabulary, 2, 256, 64, 0, DEFAULT_CONTEXT, 0f);
    }

    /** Adam's learning rate for model {@code name} unless told otherwise. */
    public static float defaultLearningRate(String name) {
        return isTransformer(name) ? 4e-3f : 8e-3f;
    }

    /** A freshly initialised model, every parameter drawn from one generator seeded with {@code seed}. */
    public static CharModel create(CharModelConfig config, Backend backend, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return config.isTransformer() ? new CharTransformer(config, backend, random)
                : new CharRecurrentModel(config, backend, random);
    }
}
