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

    /** Parses a CLI name: "constant" or "cosine". */
    static LrSchedule named(String name, double lr, long warmupSteps) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "constant", "none" -> constant(lr);
            case "cosine" -> cosine(lr, warmupSteps);
            default -> throw new IllegalArgumentException("unknown learning-rate schedule '" + name + "' (expected constant or cosine)");
        };
    }
}
