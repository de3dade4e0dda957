package dev.myelin.train;

/**
 * One epoch of a character model's training (or the part of one done before a step limit stopped it).
 *
 * @param epoch          1-based
 * @param steps          optimizer steps taken so far in the run, this epoch's included
 * @param epochSteps     optimizer steps taken in this epoch
 * @param trainLoss      mean training loss over this epoch's steps, nats per character
 * @param validationLoss mean loss over the validation text after the epoch, nats per character
 * @param seconds        training time of this epoch (validation left out)
 */
public record SequenceEpochResult(int epoch, long steps, int epochSteps, double trainLoss, double validationLoss,
                                  double seconds) {
    /** The validation loss in bits per character (nats / ln 2). */
    public double validationBitsPerChar() {
        return validationLoss / Math.log(2);
    }

    /** Milliseconds of training per optimizer step in this epoch. */
    public double msPerStep() {
        return epochSteps == 0 ? Double.NaN : 1000 * seconds / epochSteps;
    }
}
