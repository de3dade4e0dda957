package dev.myelin.train;

/** Hooks the {@link SequenceTrainer} calls as it goes; every method has a do-nothing default. */
public interface SequenceTrainingListener {
    /** @param chunks the steps this epoch will take (fewer than a full pass when a step limit stops it) */
    default void epochStarted(int epoch, int epochs, int chunks) {
    }

    /** After each step; {@code recentLoss} is NaN when the trainer did not read it this step (reading waits for the device). */
    default void stepFinished(int epoch, int chunk, long step, double recentLoss) {
    }

    default void epochFinished(SequenceEpochResult result) {
    }

    SequenceTrainingListener NONE = new SequenceTrainingListener() {
    };

    /** Shows epochs and steps on a classifier's {@link TrainingListener} (a {@link ProgressBarListener}). */
    static SequenceTrainingListener showing(TrainingListener progress) {
        return new SequenceTrainingListener() {
            @Override
            public void epochStarted(int epoch, int epochs, int chunks) {
                progress.epochStarted(epoch, epochs, chunks);
            }

            @Override
            public void stepFinished(int epoch, int chunk, long step, double recentLoss) {
                progress.stepFinished(epoch, chunk, recentLoss);
            }

            @Override
            public void epochFinished(SequenceEpochResult r) {
                progress.epochFinished(new EpochResult(r.epoch(), r.trainLoss(), Double.NaN, r.seconds(), Double.NaN,
                        r.validationLoss(), Double.NaN));
            }
        };
    }
}
