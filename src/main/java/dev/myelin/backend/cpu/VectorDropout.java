package dev.myelin.backend.cpu;

import dev.myelin.backend.DeviceRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Inverted dropout with {@link DeviceRandom}'s counter-based hash computed a vector of indices at a
 * time: the scalar loop (two hash rounds and a data-dependent select per element) took a twentieth
 * of a CNN training step. Same integer steps, so bit-identical masks to the scalar and GPU kernels.
 *
 * <p>Loaded only when {@link VectorSupport#available()}, like {@link VectorSgemm}.
 */
final class VectorDropout {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final int VLEN = FLOATS.length();
    private static final IntVector LANES = IntVector.zero(INTS).addIndex(1);

    private VectorDropout() {
    }

    /** mask[i] = uniform(seed, i) >= p ? scale : 0 and y[i] = x[i] * mask[i], for i in [from, to). */
    static void dropout(float[] x, float[] y, float[] mask, int from, int to, float p, float scale, long seed) {
        if (INTS.length() != VLEN) {
            scalar(x, y, mask, from, to, p, scale, seed);
            return;
        }
        int lo = (int) seed;
        int hi = (int) (seed >>> 32);
        FloatVector zero = FloatVector.zero(FLOATS);
        FloatVector keep = FloatVector.broadcast(FLOATS, scale);
        int i = from;
        int upper = from + FLOATS.loopBound(to - from);
        for (; i < upper; i += VLEN) {
            IntVector index = LANES.add(i);
            IntVector bits = mix(mix(index.mul(0x9E3779B9).lanewise(VectorOperators.XOR, lo))
                    .lanewise(VectorOperators.XOR, hi));
            FloatVector uniform = ((FloatVector) bits.lanewise(VectorOperators.LSHR, 8)
                    .convert(VectorOperators.I2F, 0)).mul(1.0f / 16777216.0f);
            VectorMask<Float> kept = uniform.compare(VectorOperators.GE, p);
            FloatVector m = zero.blend(keep, kept);
            m.intoArray(mask, i);
            FloatVector.fromArray(FLOATS, x, i).mul(m).intoArray(y, i);
        }
        scalar(x, y, mask, i, to, p, scale, seed);
    }

    private static IntVector mix(IntVector x) {
        x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 16));
        x = x.mul(0x7feb352d);
        x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 15));
        x = x.mul(0x846ca68b);
        return x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 16));
    }

    static void scalar(float[] x, float[] y, float[] mask, int from, int to, float p, float scale, long seed) {
        for (int i = from; i < to; i++) {
            float m = DeviceRandom.uniform(seed, i) >= p ? scale : 0f;
            mask[i] = m;
            y[i] = x[i] * m;
        }
    }
}
