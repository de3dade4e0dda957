package dev.myelin.backend;

/**
 * Adam's bias corrections at one step, folded on the host into the two floats the update kernels take:
 * {@code stepSize = lr / (1 - beta1^step)} and {@code invSqrtCorrection2 = 1 / sqrt(1 - beta2^step)}.
 * Every backend folds them here, in the same float arithmetic, so their updates round alike.
 */
public record AdamBiasCorrection(float stepSize, float invSqrtCorrection2) {
    public static AdamBiasCorrection at(int step, float lr, float beta1, float beta2) {
        float correction1 = (float) (1 - Math.pow(beta1, step));
        float correction2 = (float) (1 - Math.pow(beta2, step));
        return new AdamBiasCorrection(lr / correction1, (float) (1 / Math.sqrt(correction2)));
    }
}
