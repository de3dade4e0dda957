package dev.myelin.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Works around a C2 (JDK 17) weakness with loop-carried vectors. An accumulator that a loop carries
 * is sometimes typed as plain {@code FloatVector} rather than the exact 512-bit class (after an
 * on-stack-replacement compile, or a recompile on a different profile). A store or lane reduction
 * whose receiver is not exact cannot be intrinsified; C2 then boxes the accumulator, allocating on
 * every iteration of the loop. Seen on the SGEMM micro-kernel in about half of the JVM runs of a
 * char-LSTM training: every GEMM 5-8x slower for the whole run.
 *
 * <p>The result of a lane-wise operation is always exact, so passing the accumulator through one
 * before it leaves the loop's vector registers costs one vector add and removes the hazard.
 */
final class VectorTyping {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorTyping() {
    }

    /** {@code v + 0}: the same lanes (a -0 lane becomes +0), typed exactly for C2. */
    static FloatVector exact(FloatVector v) {
        return v.add(FloatVector.zero(SPECIES));
    }
}
