package dev.myelin.optim;

import java.util.Locale;

/**
 * The learning rate as a function of the step, set on the optimizer before each step.
 * Steps count from 0 over the whole run of {@code totalSteps}.
 */
@FunctionalInterface
public interface LrSchedule {
    double at(long step, long totalSteps);

    /** The same rate throughout. */
    static LrSchedule constant(double lr) {
        return (step, total) -> lr;
    }

    /**
     * Linear warm-up from 0 over {@code warmupSteps}, then cosine annealing from {@code lr} to 0 at the
     * last step (SGDR without restarts). Annealing is what lifts the MNIST MLP from ~97.5-98.1 % to
     * ~98.2-98.4 % after 5 epochs, in Myelin and in PyTorch alike.
     */
    static LrSchedule cosine(double lr, long warmupSteps) {
        return (step, total) -> {
            if (step < warmupSteps) {
                return lr * (step + 1) / warmupSteps;
            }
            double progress = (double) (step - warmupSteps) / Math.max(1, total - warmupSteps);
            return lr * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, progress)));
        };
    }

    /**
     * torch.optim.lr_scheduler.StepLR stepped once per epoch: lr * gamma^floor(epoch / stepSize), where the
     * epoch of a step is step / (totalSteps / epochs) for a run of {@code epochs} epochs.
     */
    static LrSchedule step(double lr, int epochs, int stepSize, double gamma) {
        if (epochs < 1 || stepSize < 1 || !(gamma > 0)) {
            throw new IllegalArgumentException("StepLR needs epochs >= 1, step size >= 1 and gamma > 0, got "
                    + epochs + ", " + stepSize + " and " + gamma);
        }
        return (step, total) -> {
            long perEpoch = Math.max(1, total / epochs);
            long epoch = step / perEpoch;
            return lr * Math.pow(gamma, epoch / stepSize);
        };
    }

    /** {@link #cosine} with the warm-up given in epochs of a run of {@code epochs} epochs. */
    static LrSchedule cosineWarmupEpochs(double lr, int warmupEpochs, int epochs) {
        if (epochs < 1 || warmupEpochs < 0 || warmupEpochs > epochs) {
            throw new IllegalArgumentException("cosine schedule needs 0 <= warm-up epochs <= epochs, got "
                    + warmupEpochs + " and " + epochs);
        }
        return (step, total) -> cosine(lr, total * warmupEpochs / epochs).at(step, total);
    }

    /** Parses a CLI name: "constant" or "cosine". */
    static LrSchedule named(String name, double lr, long warmupSteps) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "constant", "none" -> constant(lr);
            case "cosine" -> cosine(lr, warmupSteps);
            default -> throw new IllegalArgumentException("unknown learning-rate schedule '" + name + "' (expected constant or cosine)");
        };
    }
}
