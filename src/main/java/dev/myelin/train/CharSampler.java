package dev.myelin.train;

import dev.myelin.backend.Backend;
import dev.myelin.data.Vocabulary;
import dev.myelin.nn.RecurrentState;
import dev.myelin.tensor.GradRecording;
import dev.myelin.tensor.Scope;
import dev.myelin.tensor.Tensor;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Generates text with a trained {@link CharModel}: reads the prompt, then draws one character at a
 * time from softmax(logits / temperature) (the most likely one when the temperature is 0) with a
 * generator seeded by the caller, so the same seed gives the same text. A recurrent model carries
 * its state from character to character (constant work per character); the transformer reads the
 * last {@code context} characters each time.
 */
public final class CharSampler {
    private final CharModel model;
    private final Vocabulary vocabulary;
    private final Backend backend;

    public CharSampler(CharModel model, Vocabulary vocabulary) {
        if (vocabulary.size() != model.config().vocabulary()) {
            throw new IllegalArgumentException("a vocabulary of " + vocabulary.size() + " characters for a model of "
                    + model.config().vocabulary());
        }
        this.model = model;
        this.vocabulary = vocabulary;
        this.backend = model.parameters().get(0).data().backend();
    }

    /** {@code length} characters (code points): the prompt, then what the model writes after it. */
    public String generate(String prompt, int length, double temperature, long seed) {
        StringBuilder text = new StringBuilder();
        generate(prompt, length, temperature, seed, text::appendCodePoint);
        return text.toString();
    }

    /**
     * As {@link #generate(String, int, double, long)}, handing each character (code point) to {@code out}
     * as soon as it is known, the prompt's first.
     */
    public void generate(String prompt, int length, double temperature, long seed, IntConsumer out) {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be 0 (greedy) or positive, got " + temperature);
        }
        if (prompt.isEmpty()) {
            throw new IllegalArgumentException("the prompt must hold at least one character");
        }
        int promptLength = prompt.codePointCount(0, prompt.length());
        if (promptLength > length) {
            throw new IllegalArgumentException("the prompt has " + promptLength + " characters, more than the length "
                    + length + " to print (the length counts the prompt)");
        }
        int[] ids = Arrays.copyOf(vocabulary.encode(prompt), length);
        prompt.codePoints().forEach(out);
        SplittableRandom random = new SplittableRandom(seed);
        boolean wasTraining = model.isTraining();
        model.eval();
        RecurrentState state = null;
        try (var noGrad = GradRecording.noGrad()) {
            int fed = 0; // ids[0, fed) have gone into the recurrent state
            for (int n = promptLength; n < length; n++) {
                float[] logits;
                try (var scope = Scope.open()) {
                    int from = model.carriesState() ? fed : Math.max(0, n - model.config().context());
                    Tensor input = Tensor.of(backend, toFloats(ids, from, n), 1, n - from);
                    CharModel.Step step = model.forward(input, state);
                    float[] all = step.logits().toArray();
                    logits = Arrays.copyOfRange(all, all.length - vocabulary.size(), all.length);
                    if (model.carriesState()) {
                        RecurrentState next = step.state().keep();
                        if (state != null) {
                            state.close();
                        }
                        state = next;
                        fed = n;
                    }
                }
                ids[n] = draw(logits, temperature, random);
                out.accept(vocabulary.codePoint(ids[n]));
            }
        } finally {
            if (state != null) {
                state.close();
            }
            model.train(wasTraining);
        }
    }

    private static float[] toFloats(int[] ids, int from, int to) {
        float[] f = new float[to - from];
        for (int i = from; i < to; i++) {
            f[i - from] = ids[i];
        }
        return f;
    }

    /** An id drawn from softmax(logits / temperature), or the first largest logit at temperature 0. */
    static int draw(float[] logits, double temperature, SplittableRandom random) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        if (temperature == 0) {
            return best;
        }
        double[] p = new double[logits.length];
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp((logits[i] - logits[best]) / temperature);
            total += p[i];
        }
        double u = random.nextDouble() * total;
        for (int i = 0; i < p.length; i++) {
            u -= p[i];
            if (u < 0) {
                return i;
            }
        }
        return best; // rounding left u a hair above 0
    }
}
