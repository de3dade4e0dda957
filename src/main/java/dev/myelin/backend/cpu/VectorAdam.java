package dev.myelin.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Adam update on the Vector API. The scalar loop (square root and division per element) was a
 * sixth of an MNIST MLP training step; C2 did not vectorise it on its own.
 *
 * <p>Loaded only when {@link VectorSupport#available()}, like {@link VectorSgemm}.
 */
final class VectorAdam {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorAdam() {
    }

    /**
     * Updates p, m and v over [from, to). Same arithmetic, in the same order, as
     * {@link CpuBackend#adamScalar}, so both give the same floats.
     */
    static void update(float[] p, float[] g, float[] ms, float[] vs, int from, int to,
                       float lr, float beta1, float beta2, float eps, float weightDecay,
                       boolean decoupledWeightDecay, float stepSize, float invSqrtCorrection2) {
        int i = from;
        int upper = from + SPECIES.loopBound(to - from);
        float oneMinusBeta1 = 1 - beta1;
        float oneMinusBeta2 = 1 - beta2;
        float decay = lr * weightDecay;
        for (; i < upper; i += SPECIES.length()) {
            FloatVector pi = FloatVector.fromArray(SPECIES, p, i);
            FloatVector gi = FloatVector.fromArray(SPECIES, g, i);
            if (decoupledWeightDecay) {
                pi = pi.sub(pi.mul(decay));
            } else {
                gi = gi.add(pi.mul(weightDecay));
            }
            FloatVector mi = FloatVector.fromArray(SPECIES, ms, i).mul(beta1).add(gi.mul(oneMinusBeta1));
            FloatVector vi = FloatVector.fromArray(SPECIES, vs, i).mul(beta2).add(gi.mul(oneMinusBeta2).mul(gi));
            mi.intoArray(ms, i);
            vi.intoArray(vs, i);
            FloatVector denom = vi.lanewise(VectorOperators.SQRT).mul(invSqrtCorrection2).add(eps);
            pi.sub(mi.mul(stepSize).div(denom)).intoArray(p, i);
        }
        CpuBackend.adamScalar(p, g, ms, vs, i, to, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay,
                stepSize, invSqrtCorrection2);
    }
}
