package dev.myelin.train;

/** Hooks the trainer calls as it goes; every method has a do-nothing default. */
public interface TrainingListener {
    default void epochStarted(int epoch, int epochs, int batches) {
    }

    /** After each step; {@code recentLoss} is NaN when the trainer did not read it this step (reading waits for the device). */
    default void stepFinished(int epoch, int batch, double recentLoss) {
    }

    default void epochFinished(EpochResult result) {
    }

    TrainingListener NONE = new TrainingListener() {
    };
}
