package dev.myelin.train;

/**
 * One epoch's figures.
 *
 * @param trainLoss          mean training loss over the epoch's samples
 * @param testAccuracy       fraction of test samples classified right after the epoch
 * @param seconds            training time of the epoch (evaluation excluded)
 * @param samplesPerSecond   training samples per second
 * @param validationLoss     mean loss on the validation split after the epoch, NaN without one
 * @param validationAccuracy accuracy on the validation split after the epoch, NaN without one
 */
public record EpochResult(int epoch, double trainLoss, double testAccuracy, double seconds, double samplesPerSecond,
                          double validationLoss, double validationAccuracy) {
    public EpochResult(int epoch, double trainLoss, double testAccuracy, double seconds, double samplesPerSecond) {
        this(epoch, trainLoss, testAccuracy, seconds, samplesPerSecond, Double.NaN, Double.NaN);
    }
}
