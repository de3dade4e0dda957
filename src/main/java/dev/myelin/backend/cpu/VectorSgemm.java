package dev.myelin.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, register-blocked SGEMM on the Vector API, in the GotoBLAS/BLIS style:
 * C[m,n] = alpha * op(A) * op(B) + beta * C, row-major.
 *
 * <p>Loop nest (per thread, over its own block of C):
 * <pre>
 * for jc in n step NC          B block  KC x NC  packed once per (jc, pc): stays in L2
 *   for pc in k step KC
 *     pack op(B)[pc:pc+KC, jc:jc+NC] into NR-wide column strips
 *     for ic in m step MC
 *       pack op(A)[ic:ic+MC, pc:pc+KC] into MR-row strips
 *       for ir in MC step MR     A strip  MR x KC (4 KiB): stays in L1
 *         for jr in NC step NR   stream the B strips from L2
 *           micro-kernel: MR x NR tile of C in registers, one fma per (row, vector) per k
 * </pre>
 * Transposes are absorbed by the packing, so op(A) and op(B) are never materialised. Packed strips
 * are zero-padded to full MR/NR, so the micro-kernel never branches on edges; only the final store
 * of an edge tile goes through a small scalar path.
 *
 * <p>Loaded only when {@link VectorSupport#available()}: touching this class without
 * {@code --add-modules jdk.incubator.vector} throws NoClassDefFoundError.
 */
final class VectorSgemm {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int VLEN = SPECIES.length();

    /** Rows of the register tile: 4 rows x 4 vectors = 16 accumulators, leaving registers for B and A. */
    static final int MR = 4;
    /** Columns of the register tile: four vectors (64 floats with 512-bit vectors). */
    static final int NR = 4 * VLEN;
    /** Depth of a packed panel: an A strip (MR x KC) is 4 KiB and fits L1 beside the streaming B. */
    static final int KC = 256;
    /** Rows of A packed at a time; only bounds the A buffer, each strip is used once per B block. */
    static final int MC = 192;
    /** Columns of the packed B block: KC x NC floats = 512 KiB, resident in a 1 MiB L2. */
    static final int NC = 512;

    /** Below this many multiply-adds the fork/join hand-off costs more than the second core gives. */
    private static final long PARALLEL_MIN_MACS = 1L << 18;

    /** Per-thread packing buffers, sized once for the largest blocks: no allocation per call. */
    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private static final class Workspace {
        final float[] packedA = new float[roundUp(MC, MR) * KC];
        final float[] packedB = new float[KC * roundUp(NC, NR)];
        final float[] tile = new float[MR * NR];
    }

    private VectorSgemm() {
    }

    static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, float[] b, float beta, float[] c) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0 || alpha == 0f) {
            scale(c, m * n, beta);
            return;
        }
        int rowUnits = ceilDiv(m, MR);
        int colUnits = ceilDiv(n, NR);
        int threads = Parallel.threads();
        if (threads == 1 || (long) m * n * k < PARALLEL_MIN_MACS) {
            compute(transA, transB, m, n, k, alpha, a, b, beta, c, 0, m, 0, n);
            return;
        }
        // Split the dimension whose tile count divides most evenly among the threads; a tie goes to
        // the longer side. Splitting columns repeats A's packing per thread, rows repeat B's; both
        // are O(size of the operand), small next to the O(m*n*k) work.
        boolean splitColumns = imbalance(colUnits, threads) < imbalance(rowUnits, threads)
                || (imbalance(colUnits, threads) == imbalance(rowUnits, threads) && n >= m);
        long costPerUnit = splitColumns ? (long) m * k * NR : (long) n * k * MR;
        if (splitColumns) {
            Parallel.forRange(colUnits, costPerUnit, (from, to) -> compute(transA, transB, m, n, k,
                    alpha, a, b, beta, c, 0, m, from * NR, Math.min(n, to * NR)));
        } else {
            Parallel.forRange(rowUnits, costPerUnit, (from, to) -> compute(transA, transB, m, n, k,
                    alpha, a, b, beta, c, from * MR, Math.min(m, to * MR), 0, n));
        }
    }

    /** Ratio of the largest share to the mean share when units are dealt out in contiguous chunks. */
    private static double imbalance(int units, int threads) {
        int chunks = Math.min(units, threads);
        return (double) ceilDiv(units, chunks) * threads / units;
    }

    /** C[rowFrom:rowTo, colFrom:colTo] on the calling thread. */
    private static void compute(boolean transA, boolean transB, int m, int n, int k,
                                float alpha, float[] a, float[] b, float beta, float[] c,
                                int rowFrom, int rowTo, int colFrom, int colTo) {
        Workspace ws = WORKSPACE.get();
        float[] packedA = ws.packedA;
        float[] packedB = ws.packedB;
        float[] tile = ws.tile;
        for (int jc = colFrom; jc < colTo; jc += NC) {
            int nc = Math.min(NC, colTo - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                // beta scales C once, on the first panel of k; later panels accumulate.
                float betaHere = pc == 0 ? beta : 1f;
                packB(transB, b, n, k, pc, kc, jc, nc, packedB);
                for (int ic = rowFrom; ic < rowTo; ic += MC) {
                    int mc = Math.min(MC, rowTo - ic);
                    packA(transA, a, m, k, ic, mc, pc, kc, packedA);
                    for (int ir = 0; ir < mc; ir += MR) {
                        int mr = Math.min(MR, mc - ir);
                        int aOff = ir * kc;
                        for (int jr = 0; jr < nc; jr += NR) {
                            int nr = Math.min(NR, nc - jr);
                            kernel(kc, packedA, aOff, packedB, jr * kc, c, (ic + ir) * n + jc + jr, n,
                                    mr, nr, alpha, betaHere, tile);
                        }
                    }
                }
            }
        }
    }

    /**
     * Packs op(B)[pc:pc+kc, jc:jc+nc] as NR-wide strips, each kc rows of NR contiguous floats,
     * zero-padded past nc. Strip s starts at s * NR * kc.
     */
    private static void packB(boolean transB, float[] b, int n, int k, int pc, int kc, int jc, int nc,
                              float[] dst) {
        for (int jr = 0; jr < nc; jr += NR) {
            int w = Math.min(NR, nc - jr);
            int base = jr * kc;
            if (!transB) {
                // B is [k, n]: each row of the strip is a contiguous run of B.
                for (int p = 0; p < kc; p++) {
                    int d = base + p * NR;
                    System.arraycopy(b, (pc + p) * n + jc + jr, dst, d, w);
                    for (int j = w; j < NR; j++) {
                        dst[d + j] = 0f;
                    }
                }
            } else {
                // B is [n, k]: column j of op(B) is row j of B; read it contiguously, write strided.
                for (int j = 0; j < w; j++) {
                    int src = (jc + jr + j) * k + pc;
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * NR + j] = b[src + p];
                    }
                }
                if (w < NR) {
                    for (int p = 0; p < kc; p++) {
                        int d = base + p * NR;
                        for (int j = w; j < NR; j++) {
                            dst[d + j] = 0f;
                        }
                    }
                }
            }
        }
    }

    /**
     * Packs op(A)[ic:ic+mc, pc:pc+kc] as MR-row strips, each kc columns of MR contiguous floats,
     * zero-padded past mc. Strip starting at row ir begins at ir * kc.
     */
    private static void packA(boolean transA, float[] a, int m, int k, int ic, int mc, int pc, int kc,
                              float[] dst) {
        for (int ir = 0; ir < mc; ir += MR) {
            int h = Math.min(MR, mc - ir);
            int base = ir * kc;
            if (!transA) {
                // A is [m, k]: read each row contiguously, interleave into the strip.
                for (int r = 0; r < h; r++) {
                    int src = (ic + ir + r) * k + pc;
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * MR + r] = a[src + p];
                    }
                }
            } else {
                // A is [k, m]: the MR values for one p are already contiguous.
                for (int p = 0; p < kc; p++) {
                    int src = (pc + p) * m + ic + ir;
                    int d = base + p * MR;
                    for (int r = 0; r < h; r++) {
                        dst[d + r] = a[src + r];
                    }
                }
            }
            if (h < MR) {
                for (int p = 0; p < kc; p++) {
                    for (int r = h; r < MR; r++) {
                        dst[base + p * MR + r] = 0f;
                    }
                }
            }
        }
    }

    /**
     * The MR x NR register tile: C[cOff..] = alpha * Apanel * Bpanel + beta * C over kc steps.
     * Accumulators are separate locals so C2 keeps all sixteen in vector registers.
     */
    private static void kernel(int kc, float[] pa, int aOff, float[] pb, int bOff,
                               float[] c, int cOff, int ldc, int mr, int nr,
                               float alpha, float beta, float[] tile) {
        FloatVector c00 = FloatVector.zero(SPECIES), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int p = 0; p < kc; p++) {
            int bo = bOff + p * NR;
            FloatVector b0 = FloatVector.fromArray(SPECIES, pb, bo);
            FloatVector b1 = FloatVector.fromArray(SPECIES, pb, bo + VLEN);
            FloatVector b2 = FloatVector.fromArray(SPECIES, pb, bo + 2 * VLEN);
            FloatVector b3 = FloatVector.fromArray(SPECIES, pb, bo + 3 * VLEN);
            int ao = aOff + p * MR;
            FloatVector av = FloatVector.broadcast(SPECIES, pa[ao]);
            c00 = av.fma(b0, c00);
            c01 = av.fma(b1, c01);
            c02 = av.fma(b2, c02);
            c03 = av.fma(b3, c03);
            av = FloatVector.broadcast(SPECIES, pa[ao + 1]);
            c10 = av.fma(b0, c10);
            c11 = av.fma(b1, c11);
            c12 = av.fma(b2, c12);
            c13 = av.fma(b3, c13);
            av = FloatVector.broadcast(SPECIES, pa[ao + 2]);
            c20 = av.fma(b0, c20);
            c21 = av.fma(b1, c21);
            c22 = av.fma(b2, c22);
            c23 = av.fma(b3, c23);
            av = FloatVector.broadcast(SPECIES, pa[ao + 3]);
            c30 = av.fma(b0, c30);
            c31 = av.fma(b1, c31);
            c32 = av.fma(b2, c32);
            c33 = av.fma(b3, c33);
        }
        if (mr == MR && nr == NR) {
            int o = cOff;
            store(c, o, c00, alpha, beta);
            store(c, o + VLEN, c01, alpha, beta);
            store(c, o + 2 * VLEN, c02, alpha, beta);
            store(c, o + 3 * VLEN, c03, alpha, beta);
            o += ldc;
            store(c, o, c10, alpha, beta);
            store(c, o + VLEN, c11, alpha, beta);
            store(c, o + 2 * VLEN, c12, alpha, beta);
            store(c, o + 3 * VLEN, c13, alpha, beta);
            o += ldc;
            store(c, o, c20, alpha, beta);
            store(c, o + VLEN, c21, alpha, beta);
            store(c, o + 2 * VLEN, c22, alpha, beta);
            store(c, o + 3 * VLEN, c23, alpha, beta);
            o += ldc;
            store(c, o, c30, alpha, beta);
            store(c, o + VLEN, c31, alpha, beta);
            store(c, o + 2 * VLEN, c32, alpha, beta);
            store(c, o + 3 * VLEN, c33, alpha, beta);
            return;
        }
        // Edge tile: spill the registers, then update only the live part of C.
        c00.intoArray(tile, 0);
        c01.intoArray(tile, VLEN);
        c02.intoArray(tile, 2 * VLEN);
        c03.intoArray(tile, 3 * VLEN);
        c10.intoArray(tile, NR);
        c11.intoArray(tile, NR + VLEN);
        c12.intoArray(tile, NR + 2 * VLEN);
        c13.intoArray(tile, NR + 3 * VLEN);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + VLEN);
        c22.intoArray(tile, 2 * NR + 2 * VLEN);
        c23.intoArray(tile, 2 * NR + 3 * VLEN);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + VLEN);
        c32.intoArray(tile, 3 * NR + 2 * VLEN);
        c33.intoArray(tile, 3 * NR + 3 * VLEN);
        for (int r = 0; r < mr; r++) {
            int o = cOff + r * ldc;
            int t = r * NR;
            if (beta == 0f) {
                for (int j = 0; j < nr; j++) {
                    c[o + j] = alpha * tile[t + j];
                }
            } else {
                for (int j = 0; j < nr; j++) {
                    c[o + j] = alpha * tile[t + j] + beta * c[o + j];
                }
            }
        }
    }

    /** One vector of C: beta == 0 never reads C, so NaN left in it cannot leak through 0 * NaN. */
    private static void store(float[] c, int off, FloatVector acc, float alpha, float beta) {
        if (beta == 0f) {
            acc.mul(alpha).intoArray(c, off);
        } else if (beta == 1f) {
            acc.mul(alpha).add(FloatVector.fromArray(SPECIES, c, off)).intoArray(c, off);
        } else {
            acc.mul(alpha).add(FloatVector.fromArray(SPECIES, c, off).mul(beta)).intoArray(c, off);
        }
    }

    /** C = beta * C, the whole result when k == 0 or alpha == 0. */
    private static void scale(float[] c, int len, float beta) {
        if (beta == 0f) {
            java.util.Arrays.fill(c, 0, len, 0f);
        } else if (beta != 1f) {
            for (int i = 0; i < len; i++) {
                c[i] *= beta;
            }
        }
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static int roundUp(int x, int multiple) {
        return ceilDiv(x, multiple) * multiple;
    }
}
