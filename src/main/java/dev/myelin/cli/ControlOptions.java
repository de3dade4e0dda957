package dev.myelin.cli;

import dev.myelin.optim.LrSchedule;
import dev.myelin.train.TrainingControl;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * The training-control options of {@code train} (regularisation, schedules, clipping, validation and
 * early stopping), and the defaults {@code --model cnn} brings. A mixin, so TrainCommand only wires it in.
 */
final class ControlOptions {
    @Option(names = "--dropout", split = ",", paramLabel = "P[,P2]",
            description = "Dropout rate(s) overriding the model's: one rate for every dropout layer, or the CNN's two (default 0.25,0.5). For the MLPs, adds dropout after each hidden layer.")
    List<Float> dropout;

    @Option(names = "--lr-step-size", defaultValue = "1", description = "Epochs per StepLR step (default: ${DEFAULT-VALUE}).")
    int lrStepSize;

    @Option(names = "--lr-gamma", defaultValue = "0.7", description = "StepLR factor per step (default: ${DEFAULT-VALUE}).")
    float lrGamma;

    @Option(names = "--warmup-epochs", defaultValue = "0", description = "Linear warm-up epochs before the cosine schedule (default: ${DEFAULT-VALUE}).")
    int warmupEpochs;

    @Option(names = "--clip-grad-norm", description = "Clip gradients to this global L2 norm (char-* models: 1 unless given).")
    Float clipGradNorm;

    @Option(names = "--val-split", paramLabel = "FRACTION",
            description = "Hold out the last FRACTION of the training set for validation (char-* models: of the text, 0.1 unless given).")
    Double valSplit;

    @Option(names = "--early-stopping", paramLabel = "PATIENCE",
            description = "Stop after PATIENCE epochs without a lower validation loss and restore the best weights (needs --val-split, else 0.1 is used).")
    Integer patience;

    /** Fills in what {@code --model cnn} implies where the user gave no value. */
    void applyModelDefaults(TrainCommand cmd, CommandLine.ParseResult parsed) {
        if (!"cnn".equals(cmd.model)) {
            return;
        }
        if (!parsed.hasMatchedOption("--optimizer")) {
            cmd.optimizer = TrainCommand.OptimizerName.adadelta;
        }
        if (!parsed.hasMatchedOption("--lr") && cmd.optimizer == TrainCommand.OptimizerName.adadelta) {
            cmd.lr = 1.0f;
        }
        if (!parsed.hasMatchedOption("--batch-size")) {
            cmd.batchSize = 64;
        }
        if (!parsed.hasMatchedOption("--lr-schedule")) {
            cmd.lrSchedule = "step";
        }
    }

    void validate(CommandLine cl, int epochs, String lrSchedule, int warmupSteps) {
        if (dropout != null) {
            if (dropout.isEmpty() || dropout.size() > 2) {
                throw new CommandLine.ParameterException(cl, "--dropout takes one rate or two (P1,P2), got " + dropout);
            }
            for (Float p : dropout) {
                if (p == null || !(p >= 0 && p < 1)) {
                    throw new CommandLine.ParameterException(cl, "--dropout rates must be in [0, 1), got " + dropout);
                }
            }
        }
        if (lrStepSize < 1) {
            throw new CommandLine.ParameterException(cl, "--lr-step-size must be at least 1, got " + lrStepSize);
        }
        if (!(lrGamma > 0) || Float.isInfinite(lrGamma)) {
            throw new CommandLine.ParameterException(cl, "--lr-gamma must be a positive number, got " + lrGamma);
        }
        if (warmupEpochs < 0 || warmupEpochs > epochs) {
            throw new CommandLine.ParameterException(cl, "--warmup-epochs must be in [0, --epochs], got " + warmupEpochs);
        }
        if (warmupEpochs > 0 && !"cosine".equals(lrSchedule)) {
            throw new CommandLine.ParameterException(cl, "--warmup-epochs needs --lr-schedule cosine");
        }
        if (warmupEpochs > 0 && warmupSteps > 0) {
            throw new CommandLine.ParameterException(cl, "give --warmup-epochs or --warmup-steps, not both");
        }
        if (clipGradNorm != null && (!(clipGradNorm > 0) || Float.isInfinite(clipGradNorm))) {
            throw new CommandLine.ParameterException(cl, "--clip-grad-norm must be a positive number, got " + clipGradNorm);
        }
        if (valSplit != null && !(valSplit > 0 && valSplit < 1)) {
            throw new CommandLine.ParameterException(cl, "--val-split must be a fraction in (0, 1), got " + valSplit);
        }
        if (patience != null && patience < 1) {
            throw new CommandLine.ParameterException(cl, "--early-stopping patience must be at least 1, got " + patience);
        }
    }

    float[] dropoutRates() {
        if (dropout == null) {
            return null;
        }
        float[] rates = new float[dropout.size()];
        for (int i = 0; i < rates.length; i++) {
            rates[i] = dropout.get(i);
        }
        return rates;
    }

    TrainingControl control() {
        double fraction = valSplit != null ? valSplit : patience != null ? 0.1 : 0;
        return new TrainingControl(clipGradNorm == null ? 0f : clipGradNorm, fraction, patience == null ? 0 : patience);
    }

    /** The learning-rate schedule named by --lr-schedule, with this mixin's StepLR and warm-up settings. */
    LrSchedule schedule(String name, float lr, int warmupSteps, int epochs) {
        return switch (name) {
            case "step" -> LrSchedule.step(lr, epochs, lrStepSize, lrGamma);
            case "cosine" -> warmupEpochs > 0 ? LrSchedule.cosineWarmupEpochs(lr, warmupEpochs, epochs)
                    : LrSchedule.cosine(lr, warmupSteps);
            default -> LrSchedule.named(name, lr, warmupSteps);
        };
    }

    /** A few words for the summary line. */
    String describe() {
        StringBuilder s = new StringBuilder();
        if (warmupEpochs > 0) {
            s.append(", warm-up ").append(warmupEpochs).append(" epochs");
        }
        if (clipGradNorm != null) {
            s.append(", clip ").append(clipGradNorm);
        }
        if (valSplit != null || patience != null) {
            s.append(", validation ").append(valSplit != null ? valSplit : 0.1);
        }
        if (patience != null) {
            s.append(", early stopping ").append(patience);
        }
        return s.toString();
    }
}
