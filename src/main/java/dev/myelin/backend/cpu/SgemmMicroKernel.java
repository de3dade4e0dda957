package dev.myelin.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The register-blocked micro-kernel of {@link VectorSgemm}: one MR x NR tile of C over a panel of k. */
final class SgemmMicroKernel {
    private static final VectorSpecies<Float> SPECIES = VectorSgemm.SPECIES;
    private static final int VLEN = VectorSgemm.VLEN;
    private static final int MR = VectorSgemm.MR;
    private static final int NR = VectorSgemm.NR;

    private SgemmMicroKernel() {
    }

    /**
     * The MR x NR register tile over kc steps, stored (or with accumulate, added) to the tile of the
     * C block at off: MR rows of NR floats, contiguous. Accumulators are separate locals so C2 keeps
     * all of them in vector registers. The tile goes straight from them to the block, with no call:
     * C2 compiles this method from its hot k loop, when the code after it has barely run, and might
     * judge a helper taking FloatVector arguments cold, not inline it, and box every vector.
     */
    static void multiply(int kc, float[] pa, int aOff, float[] pb, int bOff,
                               float[] block, int off, boolean accumulate) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
        FloatVector c40 = c00, c41 = c00;
        FloatVector c50 = c00, c51 = c00;
        FloatVector c60 = c00, c61 = c00;
        FloatVector c70 = c00, c71 = c00;
        FloatVector b0, b1, av;
        // Two steps of k per iteration: C2 spends 12 instructions per iteration on the loop itself (index
        // arithmetic, compare, branch) next to 26 for a step's loads and fmas, and it does not unroll a loop
        // this large. Those instructions compete with the fmas for the core's issue slots, which a busy
        // sibling hyperthread also takes: unrolled, N = 1024 products measured 13% faster (median of 60
        // alternating pairs with GemmAB, 51 of them faster), N = 512 and 2048 3-4%. Four steps gained no more.
        // The loop for an odd last step repeats a step's lines on purpose: sharing them would take a call
        // passing sixteen accumulators, which C2 might not inline and would then box (see above).
        int p = 0;
        for (int unrolled = kc & ~1; p < unrolled; p += 2) {
            int bo = bOff + p * NR;
            int ao = aOff + p * MR;
            b0 = FloatVector.fromArray(SPECIES, pb, bo);
            b1 = FloatVector.fromArray(SPECIES, pb, bo + VLEN);
            av = FloatVector.broadcast(SPECIES, pa[ao]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, pa[ao + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, pa[ao + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, pa[ao + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(SPECIES, pa[ao + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(SPECIES, pa[ao + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(SPECIES, pa[ao + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(SPECIES, pa[ao + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
            b0 = FloatVector.fromArray(SPECIES, pb, bo + NR);
            b1 = FloatVector.fromArray(SPECIES, pb, bo + NR + VLEN);
            av = FloatVector.broadcast(SPECIES, pa[ao + MR]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, pa[ao + MR + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, pa[ao + MR + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, pa[ao + MR + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(SPECIES, pa[ao + MR + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(SPECIES, pa[ao + MR + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(SPECIES, pa[ao + MR + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(SPECIES, pa[ao + MR + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        for (; p < kc; p++) {
            int bo = bOff + p * NR;
            int ao = aOff + p * MR;
            b0 = FloatVector.fromArray(SPECIES, pb, bo);
            b1 = FloatVector.fromArray(SPECIES, pb, bo + VLEN);
            av = FloatVector.broadcast(SPECIES, pa[ao]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            av = FloatVector.broadcast(SPECIES, pa[ao + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            av = FloatVector.broadcast(SPECIES, pa[ao + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            av = FloatVector.broadcast(SPECIES, pa[ao + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            av = FloatVector.broadcast(SPECIES, pa[ao + 4]);
            c40 = av.fma(b0, c40);
            c41 = av.fma(b1, c41);
            av = FloatVector.broadcast(SPECIES, pa[ao + 5]);
            c50 = av.fma(b0, c50);
            c51 = av.fma(b1, c51);
            av = FloatVector.broadcast(SPECIES, pa[ao + 6]);
            c60 = av.fma(b0, c60);
            c61 = av.fma(b1, c61);
            av = FloatVector.broadcast(SPECIES, pa[ao + 7]);
            c70 = av.fma(b0, c70);
            c71 = av.fma(b1, c71);
        }
        // Each store is of an add's result, never of an accumulator itself (see VectorTyping): with a
        // store of the loop-carried accumulator, about half of the JVM runs of a char-LSTM training ran
        // every GEMM 5-8x slower. The add is the accumulation where there is one, else of zero.
        FloatVector zero = FloatVector.zero(SPECIES);
        c00.add(accumulate ? FloatVector.fromArray(SPECIES, block, off + 0 * VLEN) : zero).intoArray(block, off + 0 * VLEN);
        c01.add(accumulate ? FloatVector.fromArray(SPECIES, block, off + 1 * VLEN) : zero).intoArray(block, off + 1 * VLEN);
        c10.add(accumulate ? FloatVector.fromArray(SPECIES, block, off + 2 * VLEN) : zero).intoArray(block, off + 2 * VLEN);
        c11.add(accumulate ? FloatVector.fromArray(SPECIES, block, off + 3 * VLEN) : zero).intoArray(block, off + 3 * VLEN);
        c20.add(accumulate ? FloatVector.fromArray(SPECIES, block, off + 4 * VLEN) : zero).intoArray(block, off + 4 * VLEN);
        c21.add(accumulate ? FloatVector.fromArray(SPECIES, block, off + 5 * VLEN) : zero).intoArray(block, off + 5 * VLEN);
        c30.add(accumulate ? FloatVector.fromArray(SPECIES, block, off + 6 * VLEN) : zero).intoArray(block, off + 6 * VLEN);
        c31.add(accumulate ? FloatVector.fromArray(SPECIES, block, off + 7 * VLEN) : zero).intoArray(block, off + 7 * VLEN);
        c40.add(accumulate ? FloatVector.fromArray(SPECIES, block, off + 8 * VLEN) : zero).intoArray(block, off + 8 * VLEN);
        c41.add(accumulate ? FloatVector.fromArray(SPECIES, block, off + 9 * VLEN) : zero).intoArray(block, off + 9 * VLEN);
        c50.add(accumulate ? FloatVector.fromArray(SPECIES, block, off + 10 * VLEN) : zero).intoArray(block, off + 10 * VLEN);
        c51.add(accumulate ? FloatVector.fromArray(SPECIES, block, off + 11 * VLEN) : zero).intoArray(block, off + 11 * VLEN);
        c60.add(accumulate ? FloatVector.fromArray(SPECIES, block, off + 12 * VLEN) : zero).intoArray(block, off + 12 * VLEN);
        c61.add(accumulate ? FloatVector.fromArray(SPECIES, block, off + 13 * VLEN) : zero).intoArray(block, off + 13 * VLEN);
        c70.add(accumulate ? FloatVector.fromArray(SPECIES, block, off + 14 * VLEN) : zero).intoArray(block, off + 14 * VLEN);
        c71.add(accumulate ? FloatVector.fromArray(SPECIES, block, off + 15 * VLEN) : zero).intoArray(block, off + 15 * VLEN);
    }
}
