package dev.myelin.train;

import dev.myelin.data.Dataset;
import dev.myelin.nn.Module;
import dev.myelin.optim.GradClipping;

/**
 * What the {@link Trainer} does around its steps besides forward/backward/update and the learning-rate
 * schedule: gradient clipping by global norm, a validation split (the last fraction of the training
 * set, held out deterministically) and early stopping on validation loss with restoration of the best
 * weights. Immutable settings; the per-run state (clipper, early-stopping snapshot) is made by
 * {@link #start} and released by {@link Run#close}.
 *
 * @param clipGradNorm       max global gradient norm, 0 for no clipping
 * @param validationFraction fraction of the training set held out for validation, 0 for none
 * @param patience           early-stopping patience in epochs, 0 for none (needs a validation split)
 */
public record TrainingControl(float clipGradNorm, double validationFraction, int patience) {
    public static final TrainingControl NONE = new TrainingControl(0f, 0, 0);

    public TrainingControl {
        if (clipGradNorm < 0 || Float.isNaN(clipGradNorm) || Float.isInfinite(clipGradNorm)) {
            throw new IllegalArgumentException("gradient clipping norm must be a positive number (0 for none), got " + clipGradNorm);
        }
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validationFraction);
        }
        if (patience < 0) {
            throw new IllegalArgumentException("early-stopping patience must be >= 0, got " + patience);
        }
        if (patience > 0 && validationFraction == 0) {
            throw new IllegalArgumentException("early stopping needs a validation split (a validation fraction > 0)");
        }
    }

    /** Splits off the last {@code validationFraction} of {@code data}: {train, validation} (validation null when none). */
    public Dataset[] split(Dataset data) {
        if (validationFraction == 0) {
            return new Dataset[]{data, null};
        }
        int held = (int) Math.round(data.count() * validationFraction);
        if (held < 1 || held >= data.count()) {
            throw new IllegalArgumentException("a validation fraction of " + validationFraction + " of " + data.count()
                    + " examples leaves " + held + " for validation and " + (data.count() - held) + " for training");
        }
        int cut = data.count() - held;
        return new Dataset[]{data.slice(0, cut), data.slice(cut, data.count())};
    }

    Run start(Module model) {
        return new Run(model);
    }

    /** The state of one fit. */
    final class Run implements AutoCloseable {
        private final Module model;
        private final GradClipping clipping;
        private final EarlyStopping stopping;
        private int restoredEpoch;

        private Run(Module model) {
            this.model = model;
            this.clipping = clipGradNorm > 0 ? new GradClipping(model.parameters(), clipGradNorm) : null;
            this.stopping = patience > 0 ? new EarlyStopping(patience) : null;
        }

        /** Between backward and the optimizer update. */
        void afterBackward() {
            if (clipping != null) {
                clipping.clip();
            }
        }

        /** After an epoch's validation; true to stop. */
        boolean afterEpoch(int epoch, double validationLoss) {
            return stopping != null && stopping.update(model, epoch, validationLoss);
        }

        /** At the end of training: restores the best weights when early stopping is on. */
        void finish() {
            if (stopping != null && stopping.bestEpoch() > 0) {
                restoredEpoch = stopping.restoreBest();
            }
        }

        /** The epoch whose weights were restored at the end, or 0. */
        int restoredEpoch() {
            return restoredEpoch;
        }

        @Override
        public void close() {
            if (clipping != null) {
                clipping.close();
            }
            if (stopping != null) {
                stopping.close();
            }
        }
    }
}
