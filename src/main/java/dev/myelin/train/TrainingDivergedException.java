package dev.myelin.train;

/** The loss became NaN or infinite: training cannot go on with these settings. */
public final class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(int epoch, int step, double loss) {
        super("training diverged: loss is " + loss + " at epoch " + epoch + ", step " + step
                + " (try a smaller learning rate)");
    }

    private TrainingDivergedException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The same, also naming the last good checkpoint (or that none was saved yet). */
    public TrainingDivergedException withCheckpoint(String lastCheckpoint) {
        return new TrainingDivergedException(getMessage() + "; last good checkpoint: "
                + (lastCheckpoint == null ? "none saved yet" : lastCheckpoint), this);
    }
}
