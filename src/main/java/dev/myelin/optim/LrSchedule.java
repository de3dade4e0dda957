package dev.myelin.optim;

/**
 * A learning rate as a function of training progress, measured in epochs: {@code epoch} counts from 0
 * and {@code fraction} in [0, 1) is how far into that epoch the step is. The trainer sets the
 * optimizer's rate from it before every step.
 */
@FunctionalInterface
public interface LrSchedule {
    float learningRate(int epoch, double fraction);

    /** The base rate throughout. */
    static LrSchedule constant(float base) {
        return (epoch, fraction) -> base;
    }

    /** torch.optim.lr_scheduler.StepLR: base * gamma^(epoch / stepSize), stepped once per epoch. */
    static LrSchedule step(float base, int stepSize, float gamma) {
        if (stepSize < 1 || !(gamma > 0)) {
            throw new IllegalArgumentException("StepLR needs step size >= 1 and gamma > 0, got " + stepSize + " and " + gamma);
        }
        return (epoch, fraction) -> (float) (base * Math.pow(gamma, epoch / stepSize));
    }

    /**
     * Linear warm-up from base / (warmup steps) to base over {@code warmupEpochs} (per step), then cosine
     * annealing to {@code min} at the end of {@code totalEpochs} (per step).
     */
    static LrSchedule cosine(float base, float min, int warmupEpochs, int totalEpochs) {
        if (warmupEpochs < 0 || totalEpochs < 1 || warmupEpochs > totalEpochs) {
            throw new IllegalArgumentException("cosine schedule needs 0 <= warm-up epochs <= epochs, got "
                    + warmupEpochs + " and " + totalEpochs);
        }
        return (epoch, fraction) -> {
            double t = epoch + fraction;
            if (t < warmupEpochs) {
                return (float) (base * Math.max(t / warmupEpochs, 1e-3));
            }
            int span = totalEpochs - warmupEpochs;
            if (span == 0) {
                return base;
            }
            double progress = Math.min(1, (t - warmupEpochs) / span);
            return (float) (min + (base - min) * 0.5 * (1 + Math.cos(Math.PI * progress)));
        };
    }
}
