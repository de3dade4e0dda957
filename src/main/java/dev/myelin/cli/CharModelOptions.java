package dev.myelin.cli;

import dev.myelin.train.CharModelConfig;
import dev.myelin.train.CharModels;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * The options of {@code train} that shape a character-level language model (char-lstm, char-gru,
 * char-rnn, char-transformer), and which of train's options each kind of model takes: an option that
 * does not apply to the chosen model is an error, never silently ignored.
 */
final class CharModelOptions {
    @Option(names = "--layers", paramLabel = "N", description = "char-*: stacked recurrent layers (default 2) or Transformer blocks (default 4).")
    Integer layers;

    @Option(names = "--hidden", paramLabel = "N", description = "char-lstm/gru/rnn: hidden size (default 256).")
    Integer hidden;

    @Option(names = "--embedding", paramLabel = "N", description = "char-*: character embedding size (default 64); the transformer's width (default 128).")
    Integer embedding;

    @Option(names = "--heads", paramLabel = "N", description = "char-transformer: attention heads (default 4).")
    Integer heads;

    @Option(names = "--context", paramLabel = "N", description = "char-*: characters per training chunk (truncated BPTT length); "
            + "the transformer's context (default " + CharModels.DEFAULT_CONTEXT + ").")
    Integer context;

    @Option(names = "--steps", paramLabel = "N", description = "char-*: stop after N optimizer steps (with no --epochs, as many epochs as that takes).")
    Long steps;

    /** Options only the MNIST classifiers take. */
    private static final List<String> CLASSIFIER_ONLY = List.of("--resume", "--stop-after", "--early-stopping",
            "--warmup-epochs", "--lr-step-size", "--lr-gamma");
    /** Options only the character models take. */
    private static final List<String> CHAR_ONLY = List.of("--layers", "--hidden", "--embedding", "--heads", "--context", "--steps");

    /** Fails naming the first option given that {@code model} does not take, and checks the values of those it does. */
    void validate(CommandLine cl, String model, List<Float> dropout, String lrSchedule) {
        CommandLine.ParseResult given = cl.getParseResult();
        boolean charModel = CharModels.NAMES.contains(model);
        if (!charModel) {
            for (String option : CHAR_ONLY) {
                if (given.hasMatchedOption(option)) {
                    throw new CommandLine.ParameterException(cl, option + " applies to the character models ("
                            + String.join(", ", CharModels.NAMES) + "), not --model " + model);
                }
            }
            return;
        }
        for (String option : CLASSIFIER_ONLY) {
            if (given.hasMatchedOption(option)) {
                throw new CommandLine.ParameterException(cl, option + " applies to the MNIST models, not --model " + model);
            }
        }
        if (CharModels.isTransformer(model) && hidden != null) {
            throw new CommandLine.ParameterException(cl, "--hidden applies to char-lstm, char-gru and char-rnn; "
                    + "the transformer's width is --embedding");
        }
        if (!CharModels.isTransformer(model) && heads != null) {
            throw new CommandLine.ParameterException(cl, "--heads applies to char-transformer, not --model " + model);
        }
        if ("step".equals(lrSchedule)) {
            throw new CommandLine.ParameterException(cl, "--lr-schedule step applies to the MNIST models; "
                    + "use cosine or constant for --model " + model);
        }
        if (dropout != null && dropout.size() != 1) {
            throw new CommandLine.ParameterException(cl, "--dropout takes one rate for --model " + model + ", got " + dropout);
        }
        positive(cl, "--layers", layers);
        positive(cl, "--hidden", hidden);
        positive(cl, "--embedding", embedding);
        positive(cl, "--heads", heads);
        positive(cl, "--context", context);
        if (steps != null && steps < 1) {
            throw new CommandLine.ParameterException(cl, "--steps must be at least 1, got " + steps);
        }
    }

    private static void positive(CommandLine cl, String option, Integer value) {
        if (value != null && value < 1) {
            throw new CommandLine.ParameterException(cl, option + " must be at least 1, got " + value);
        }
    }

    /** The model's configuration: its defaults, with the options given. */
    CharModelConfig config(CommandLine cl, String model, int vocabulary, float dropout) {
        CharModelConfig d = CharModels.defaults(model, vocabulary);
        try {
            return new CharModelConfig(model, vocabulary, or(layers, d.layers()), or(hidden, d.hidden()),
                    or(embedding, d.embedding()), or(heads, d.heads()), or(context, d.context()), dropout);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }

    private static int or(Integer given, int otherwise) {
        return given == null ? otherwise : given;
    }
}
