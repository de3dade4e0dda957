package dev.myelin.backend.cpu;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The packing of {@link VectorSgemm}: copies a block of op(A) into MR-row strips and a block of op(B)
 * into NR-wide strips, in the order the micro-kernel ({@link SgemmMicroKernel}) reads them, absorbing
 * the transposes. Strips are zero-padded to full MR/NR, so the micro-kernel never branches on edges.
 */
final class SgemmPacking {
    private static final VectorSpecies<Float> SPECIES = VectorSgemm.SPECIES;
    private static final int VLEN = VectorSgemm.VLEN;
    private static final int MR = VectorSgemm.MR;
    private static final int NR = VectorSgemm.NR;

    private SgemmPacking() {
    }

    /**
     * Packs op(B)[pc:pc+kc, jc:jc+nc] as NR-wide strips, each kc rows of NR contiguous floats,
     * zero-padded past nc. Strip s starts at s * NR * kc.
     */
    static void packB(boolean transB, float[] b, int bOff, int n, int k, int pc, int kc, int jc, int nc,
                              float[] dst, int dstOff) {
        if (!transB) {
            packRowsOfB(b, bOff, n, pc, kc, jc, nc, dst, dstOff);
            return;
        }
        for (int jr = 0; jr < nc; jr += NR) {
            int w = Math.min(NR, nc - jr);
            int base = dstOff + jr * kc;
            // B is [n, k]: column j of op(B) is row j of B. Eight rows at a time, p outermost, the
            // eight reads unrolled: sequential writes, and only eight source lines live per set of L1.
            // All NR rows at once (the former order) put NR lines in one set whenever k is a multiple
            // of 1024 and thrashed L1; measured 1.6-2x slower for the W4 and MNIST NT shapes.
            int src = bOff + (jc + jr) * k + pc;
            int j0 = 0;
            for (; j0 + 8 <= w; j0 += 8) {
                packRows8(b, src + j0 * k, k, kc, dst, base + j0, NR);
            }
            for (; j0 < w; j0++) {
                int s = src + j0 * k;
                for (int p = 0; p < kc; p++) {
                    dst[base + p * NR + j0] = b[s + p];
                }
            }
            zeroPadding(dst, base, kc, NR, w);
        }
    }

    /**
     * packB for B stored [k, n]: row by row, each row of B read once and sequentially, its NR-wide pieces
     * going to their strips (strip s written a run of NR floats at a time, NR * kc apart). Strip by strip
     * (the former order) read kc pieces of 128 bytes n floats apart: for n a multiple of 1024 each piece
     * on its own page and in the same set of L1, at a stride no prefetcher follows. Row by row, GemmAB
     * measured N = 1024 products 3% faster (median of 60 alternating pairs, 38 of them faster), N = 512
     * and 2048 unchanged. A full piece is two vector copies: System.arraycopy's call costs as much as the
     * copy at 32 floats.
     */
    private static void packRowsOfB(float[] b, int bOff, int n, int pc, int kc, int jc, int nc,
                                    float[] dst, int dstOff) {
        int full = nc / NR * NR;
        for (int p = 0; p < kc; p++) {
            int src = bOff + (pc + p) * n + jc;
            int d = dstOff + p * NR;
            for (int jr = 0; jr < full; jr += NR) {
                int o = d + jr * kc;
                FloatVector.fromArray(SPECIES, b, src + jr).intoArray(dst, o);
                FloatVector.fromArray(SPECIES, b, src + jr + VLEN).intoArray(dst, o + VLEN);
            }
        }
        if (full < nc) {
            // The last strip, narrower than NR: zero-padded.
            int w = nc - full;
            int base = dstOff + full * kc;
            int src = bOff + pc * n + jc + full;
            for (int p = 0; p < kc; p++) {
                System.arraycopy(b, src + p * n, dst, base + p * NR, w);
            }
            zeroPadding(dst, base, kc, NR, w);
        }
    }

    /**
     * Packs op(A)[ic:ic+mc, pc:pc+kc] as MR-row strips, each kc columns of MR contiguous floats,
     * zero-padded past mc. Strip starting at row ir begins at dstOff + ir * kc.
     */
    static void packA(boolean transA, float[] a, int aOff, int m, int k, int ic, int mc, int pc, int kc,
                              float[] dst, int dstOff) {
        if (transA) {
            packTransposedA(a, aOff, m, ic, mc, pc, kc, dst, dstOff);
            return;
        }
        for (int ir = 0; ir < mc; ir += MR) {
            int h = Math.min(MR, mc - ir);
            int base = dstOff + ir * kc;
            // A is [m, k]: interleave MR rows into the strip, as packB does for a transposed B.
            int src = aOff + (ic + ir) * k + pc;
            if (h == MR) {
                packRows8(a, src, k, kc, dst, base, MR);
            } else {
                for (int r = 0; r < h; r++) {
                    int s = src + r * k;
                    for (int p = 0; p < kc; p++) {
                        dst[base + p * MR + r] = a[s + p];
                    }
                }
                zeroPadding(dst, base, kc, MR, h);
            }
        }
    }

    /**
     * packA for A stored [k, m], where the MR values of a strip for one p are already contiguous. p is
     * outermost, so A is read one contiguous run of mc floats after another: strip by strip (the former
     * order) read 32 bytes per row of A, rows m floats apart, and for m a multiple of 512 those rows share
     * two sets of L1; a 512x128x4096 TN product spent 36% of its time packing. Each copy of eight is
     * unrolled, which C2 turns into one 256-bit move. Not a 256-bit FloatVector: a second species in the
     * same JVM splits the type profiles of the shared FloatVector methods, and C2 then boxes vectors in
     * other kernels (see VectorTyping).
     */
    private static void packTransposedA(float[] a, int aOff, int m, int ic, int mc, int pc, int kc, float[] dst,
                                        int dstOff) {
        int full = mc / MR * MR;
        for (int p = 0; p < kc; p++) {
            int sp = aOff + (pc + p) * m + ic;
            for (int ir = 0; ir < full; ir += MR) {
                int s = sp + ir;
                int d = dstOff + ir * kc + p * MR;
                dst[d] = a[s];
                dst[d + 1] = a[s + 1];
                dst[d + 2] = a[s + 2];
                dst[d + 3] = a[s + 3];
                dst[d + 4] = a[s + 4];
                dst[d + 5] = a[s + 5];
                dst[d + 6] = a[s + 6];
                dst[d + 7] = a[s + 7];
            }
        }
        if (full < mc) {
            int h = mc - full;
            int base = dstOff + full * kc;
            for (int p = 0; p < kc; p++) {
                int sp = aOff + (pc + p) * m + ic + full;
                for (int r = 0; r < h; r++) {
                    dst[base + p * MR + r] = a[sp + r];
                }
            }
            zeroPadding(dst, base, kc, MR, h);
        }
    }

    /**
     * Zeroes the padding of a packed strip at base past its last row of A or column of B: entries
     * filled..width-1 of each of its kc runs of width (MR for A, NR for B). Arrays.fill rather than a
     * loop of our own, for startup's sake: the warm-up's edge strips are one row or column wide, so a
     * padding loop ran most of their iterations, and its back-edge count made C2 compile packB three
     * times (twice on-stack) ahead of the micro-kernel, while the first training step waited for it.
     */
    private static void zeroPadding(float[] dst, int base, int kc, int width, int filled) {
        if (filled == width) {
            return;
        }
        for (int p = 0; p < kc; p++) {
            Arrays.fill(dst, base + p * width + filled, base + p * width + width, 0f);
        }
    }

    /**
     * dst[d + p * stride + r] = src[s + r * ld + p] for r < 8, p < kc: eight rows of a row-major matrix
     * interleaved, p outermost, so the writes are sequential runs of eight.
     */
    private static void packRows8(float[] src, int s, int ld, int kc, float[] dst, int d, int stride) {
        int s0 = s, s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld, s4 = s3 + ld, s5 = s4 + ld, s6 = s5 + ld, s7 = s6 + ld;
        for (int p = 0; p < kc; p++) {
            int o = d + p * stride;
            dst[o] = src[s0 + p];
            dst[o + 1] = src[s1 + p];
            dst[o + 2] = src[s2 + p];
            dst[o + 3] = src[s3 + p];
            dst[o + 4] = src[s4 + p];
            dst[o + 5] = src[s5 + p];
            dst[o + 6] = src[s6 + p];
            dst[o + 7] = src[s7 + p];
        }
    }
}
