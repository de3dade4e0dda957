package dev.myelin.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Activation kernels that C2 does not vectorise on its own. ReLU's backward pass is a select
 * ({@code y > 0 ? dy : 0}); as scalar code it is a branch that mispredicts on half the elements of
 * a conv layer's output (a ninth of a CNN training step), as a masked blend it is branch-free.
 *
 * <p>Loaded only when {@link VectorSupport#available()}, like {@link VectorSgemm}.
 */
final class VectorActivations {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorActivations() {
    }

    /** dx[i] = y[i] > 0 ? dy[i] : 0 over [from, to); the same floats as the scalar loop, NaN included. */
    static void reluBackward(float[] y, float[] dy, float[] dx, int from, int to) {
        int i = from;
        int upper = from + SPECIES.loopBound(to - from);
        FloatVector zero = FloatVector.zero(SPECIES);
        for (; i < upper; i += SPECIES.length()) {
            VectorMask<Float> positive = FloatVector.fromArray(SPECIES, y, i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(SPECIES, dy, i), positive).intoArray(dx, i);
        }
        for (; i < to; i++) {
            dx[i] = y[i] > 0f ? dy[i] : 0f;
        }
    }
}
