package dev.myelin.backend.cpu;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed, register-blocked SGEMM on the Vector API, in the GotoBLAS/BLIS style:
 * C[m,n] = alpha * op(A) * op(B) + beta * C, row-major.
 *
 * <p>Loop nest (per thread, over its own block of C):
 * <pre>
 * for jc in n step NC
 *   pack op(B)[0:k, jc:jc+NC], panel by panel of KC rows, into NR-wide strips (KC x NR each)
 *   for ic in m step MC
 *     for pc in k step KC          C block MC x NC: summed in a tile-major buffer, then written back
 *       pack op(A)[ic:ic+MC, pc:pc+KC] into MR-row strips      A block MC x KC: stays in L2
 *       for jr in NC step NR      B strip KC x NR (32 KiB): stays in L1 for the whole ir loop
 *         for ir in MC step MR    A strip streams from L2, only MR floats per k
 *           micro-kernel: MR x NR tile of C in registers, one fma per (row, vector) per k
 * </pre>
 * The B strip is the operand loaded as whole vectors, so it is the one kept in L1: the other loop
 * order (A strip in L1, B streamed from L2) needs 16 bytes from L2 per fma and measured 10-20% slower.
 * Transposes are absorbed by the packing, so op(A) and op(B) are never materialised. Packed strips
 * are zero-padded to full MR/NR, so the micro-kernel never branches on edges; only the write-back of
 * the C block to C handles them.
 *
 * <p>The micro-kernel sums into its own buffer, each tile 1 KiB contiguous and the tiles in the
 * order the kernel visits them, rather than into C: a tile of C is eight rows a row stride apart
 * (for n a multiple of 1024, all in the same two sets of L1), and loading and storing it there after
 * every panel of k cost 10-15% of an N = 2048 product; the buffer is swept sequentially, and C is
 * touched once per element.
 *
 * <p>The packing is {@link SgemmPacking}, the micro-kernel {@link SgemmMicroKernel}; this class holds
 * the loop nest, the threading and the write-back.
 *
 * <p>Loaded only when {@link VectorSupport#available()}: touching this class without
 * {@code --add-modules jdk.incubator.vector} throws NoClassDefFoundError.
 */
final class VectorSgemm {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    static final int VLEN = SPECIES.length();

    /**
     * Rows of the register tile. 8 rows x 2 vectors = 16 accumulators; measured against 4x4, 6x4
     * and 8x3 vectors (same loop nest or the other), 8x2 was fastest on every shape tried.
     */
    static final int MR = 8;
    /** Columns of the register tile: two vectors (32 floats with 512-bit vectors). */
    static final int NR = 2 * VLEN;
    /**
     * Depth of a packed panel: a B strip (KC x NR) is 32 KiB with 512-bit vectors, in the 48 KiB L1 of
     * the Intel Xeon host this was tuned on. The AMD EPYC (Zen 4) host has 32 KiB of L1 and 1 MiB of L2
     * per core, and there KC 128 measured the same as 256 (GemmAB 0.986 at N = 2048, 1.006 at 1024).
     */
    // The block sizes read system properties (myelin.kc, .mc, .nc, .bpanel, .prepacked) only so that they can be
    // tuned, and tests run with tiny blocks, without a rebuild; static finals still fold into the code.
    static final int KC = Integer.getInteger("myelin.kc", 256);
    /**
     * Rows of A packed at a time: the A block (MC x KC, 256 KiB) is reread for every B strip, and the
     * C block (MC x NC, 1 MiB) for every panel of k, both from L2 (2 MiB per core on the Intel host).
     */
    static final int MC = Integer.getInteger("myelin.mc", 256);
    /** Columns of B packed at a time (over all of k); A is repacked once per NC columns. */
    static final int NC = Integer.getInteger("myelin.nc", 1024);
    /** Floats of packed B per thread (all of k x the column block): 8 MiB. */
    static final int B_PANEL_FLOATS = Integer.getInteger("myelin.bpanel", 2 << 20);

    /** Units per thread in {@link #computeShared}, at the least: what the claiming balances. */
    private static final int SHARED_MIN_UNITS = 4;
    /** Multiply-adds for a claimed split (512^3, ~1 ms), at the least: its extra parallel region is lost in them. */
    private static final long SHARED_MIN_MACS = 1L << 27;
    /**
     * Floats of each operand packed whole by {@link #computePrepacked}, at most: 16 MiB each, both operands
     * of a 2048 product. The buffers are kept per calling thread, like the B buffer, and never shrink.
     */
    private static final int PREPACKED_MAX_FLOATS = Integer.getInteger("myelin.prepacked", 4 << 20);
    /**
     * Rows of op(A) per packing job of {@link #computePrepacked}, and of C per wide unit: a block of the
     * pre-packed A, panel after panel.
     */
    private static final int PREPACKED_BLOCK_ROWS = 512;
    /** Columns of C per small unit of {@link #computePrepacked}. */
    private static final int UNIT_COLUMNS = 256;
    /**
     * Rows of C per small unit of {@link #computePrepacked}: units of 128 rows by 256 columns, 32 in a 1024
     * product. Against units of 256 rows GemmAB measured N = 1024 1.044, 1.034 and 1.030 (60 pairs each;
     * 42, 36 and 31 faster), N = 2048 1.015 and 1.039; units of 64 rows gained nothing more (1.012).
     */
    private static final int UNIT_ROWS = 128;
    /**
     * Blocks of MC rows by UNIT_COLUMNS columns per thread in {@link #computePrepacked}, at the least: 512
     * products, at four such blocks in all, measured 3% slower pre-packed than split evenly.
     */
    private static final int PREPACKED_MIN_UNITS = 4;
    /**
     * Columns of C per wide unit of {@link #computePrepacked}: PREPACKED_BLOCK_ROWS rows by this many. A unit
     * reads its rows of packed A and its columns of packed B from L3 (or memory) once, panel by panel:
     * four times the rows and twice the columns of a small unit cut that traffic per multiply-add by 3.2x.
     * The gain is largest when the machine is busy: GemmAB at N = 2048, units of 256 x 512 against 128 x
     * 256 measured 1.050, 1.045, 1.032, 1.007, 1.022 and 1.024 (30 to 60 pairs each); 512 x 512 (the
     * last block of rows in small units, see computePrepacked) against those 1.037 and 1.043 at 200
     * GFLOP/s, 1.016 at 260; 256 x 256 gave 0.992 against 128 x 256, 256 x 1024 0.997 (a panel of k
     * then takes 2.25 MiB: more than L2).
     */
    private static final int WIDE_UNIT_COLUMNS = 512;
    /**
     * Wide units per thread, at the least, for {@link #computePrepacked} to take them: N = 2048 has 8 per
     * thread on two threads. Fewer leave the faster core too few to take more of them: at N = 1024, units
     * of 256 x 512 (four per thread) measured 0.991, and 512 x 512 with the small-unit tail 0.989.
     */
    private static final int WIDE_MIN_UNITS = 8;

    /** Below this many multiply-adds the fork/join hand-off costs more than the second core gives. */
    private static final long PARALLEL_MIN_MACS = 1L << 18;

    /** Per-thread packing buffers, sized once for the largest blocks: no allocation per call. */
    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private static final class Workspace {
        final float[] packedA = new float[roundUp(MC, MR) * KC];
        float[] packedB = new float[0];
        /** All of op(A), for computePrepacked: empty until the first such product. */
        float[] prepackedA = new float[0];
        /** The block of C being summed over k, tile after tile (see computeRows): MC x NC, or a unit of computePrepacked. */
        final float[] blockC = new float[Math.max(roundUp(MC, MR) * roundUp(NC, NR), PREPACKED_BLOCK_ROWS * WIDE_UNIT_COLUMNS)];

        /** The buffer for all of op(A), grown to at least {@code floats}; at most PREPACKED_MAX_FLOATS. */
        float[] prepackedA(int floats) {
            if (prepackedA.length < floats) {
                prepackedA = new float[floats];
            }
            return prepackedA;
        }

        /**
         * The B buffer, grown to at least {@code floats}; it never shrinks, so its peak is the larger of
         * B_PANEL_FLOATS and PREPACKED_MAX_FLOATS.
         */
        float[] packedB(int floats) {
            if (packedB.length < floats) {
                packedB = new float[floats];
            }
            return packedB;
        }
    }

    private VectorSgemm() {
    }

    static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, float[] b, float beta, float[] c) {
        sgemm(transA, transB, m, n, k, alpha, a, 0, b, 0, beta, c, 0);
    }

    /**
     * The product of matrices stored contiguously from offsets aOff, bOff and cOff of their arrays: a
     * batched GEMM's entries (attention heads) are read and written in place, with no copy in or out.
     */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
        if (m <= 0 || n <= 0) {
            return;
        }
        if (k <= 0 || alpha == 0f) {
            scale(c, cOff, m * n, beta);
            return;
        }
        switch (split(m, n, k, Parallel.threads())) {
            case SERIAL -> compute(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff, 0, m, 0, n);
            case PREPACKED -> computePrepacked(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
            case SHARED_B -> computeShared(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
            case EVEN -> computeEvenSplit(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
        }
    }

    /** How a product is divided among the CPU threads; see {@link #split}. */
    enum Split {
        /** On the calling thread alone. */
        SERIAL,
        /** {@link #computePrepacked}: both operands packed whole, C in small units claimed by free threads. */
        PREPACKED,
        /** {@link #computeShared}: B packed a block at a time, C in blocks of rows claimed by free threads. */
        SHARED_B,
        /** {@link #computeEvenSplit}: one contiguous share of C per thread, each packing its own operands. */
        EVEN
    }

    /**
     * The division for a product on this many threads. A product too small for a second core to pay is
     * serial. A large one whose packed operands fit PREPACKED_MAX_FLOATS each, with at least
     * PREPACKED_MIN_UNITS units per thread, is pre-packed; one too large for that but with rows for
     * SHARED_MIN_UNITS blocks per thread shares B; the rest split evenly.
     */
    static Split split(int m, int n, int k, int threads) {
        long macs = (long) m * n * k;
        if (threads == 1 || macs < PARALLEL_MIN_MACS) {
            return Split.SERIAL;
        }
        if (macs >= SHARED_MIN_MACS
                && (long) ceilDiv(m, MC) * ceilDiv(n, UNIT_COLUMNS) >= (long) PREPACKED_MIN_UNITS * threads
                && (long) roundUp(m, MR) * k <= PREPACKED_MAX_FLOATS
                && (long) k * roundUp(n, NR) <= PREPACKED_MAX_FLOATS) {
            return Split.PREPACKED;
        }
        if (macs >= SHARED_MIN_MACS && m >= SHARED_MIN_UNITS * threads * MC) {
            return Split.SHARED_B;
        }
        return Split.EVEN;
    }

    /**
     * Splits the dimension whose tile count divides most evenly among the threads; a tie goes to the
     * longer side. Splitting columns repeats A's packing per thread, rows repeat B's; both are O(size
     * of the operand), small next to the O(m*n*k) work of the products that come here.
     */
    private static void computeEvenSplit(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                         float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
        int threads = Parallel.threads();
        int rowUnits = ceilDiv(m, MR);
        int colUnits = ceilDiv(n, NR);
        boolean splitColumns = imbalance(colUnits, threads) < imbalance(rowUnits, threads)
                || (imbalance(colUnits, threads) == imbalance(rowUnits, threads) && n >= m);
        long costPerUnit = splitColumns ? (long) m * k * NR : (long) n * k * MR;
        if (splitColumns) {
            Parallel.forRange(colUnits, costPerUnit, (from, to) -> compute(transA, transB, m, n, k,
                    alpha, a, aOff, b, bOff, beta, c, cOff, 0, m, from * NR, Math.min(n, to * NR)));
        } else {
            Parallel.forRange(rowUnits, costPerUnit, (from, to) -> compute(transA, transB, m, n, k,
                    alpha, a, aOff, b, bOff, beta, c, cOff, from * MR, Math.min(m, to * MR), 0, n));
        }
    }

    /**
     * Warm-up on the calling thread (see {@link CpuWarmUp}). The leaves (packing, the micro-kernel,
     * the write-back) are called directly on a short k, each on every path it has (edge strips,
     * transposes, accumulate or not, beta 0 or 1): C2 compiles a method after some thousands of calls,
     * and until then each Vector API operation runs boxed, so the cheapest call that takes every branch
     * reaches compilation soonest, with a profile in which no branch looks dead (a branch first taken
     * after compilation costs a deoptimization and a recompile, in the middle of training).
     */
    static final class WarmUp {
        /** Enough k for the loops to look like loops, with little work done boxed. */
        private static final int K = 8;
        private static final int M = MR + 1;
        private static final int N = NR + 1;
        final float[] a = new float[M * K];
        final float[] b = new float[N * K];
        final float[] c = new float[M * N];
        private final float[] packedA = new float[roundUp(M, MR) * K];
        private final float[] packedB = new float[roundUp(N, NR) * K];
        private final float[] block = new float[roundUp(M, MR) * roundUp(N, NR)];

        WarmUp() {
            for (int i = 0; i < a.length; i++) {
                a[i] = (i % 7) * 0.1f;
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = (i % 5) * 0.1f;
            }
        }

        void once() {
            for (int op = 0; op < 2; op++) {
                boolean trans = op == 1;
                SgemmPacking.packA(trans, a, 0, M, K, 0, M, 0, K, packedA, 0);
                SgemmPacking.packB(trans, b, 0, N, K, 0, K, 0, N, packedB, 0);
            }
            SgemmMicroKernel.multiply(K, packedA, 0, packedB, 0, block, 0, false);
            // An odd k too: the kernel's loop takes k two steps at a time and the last, odd step apart.
            SgemmMicroKernel.multiply(K - 1, packedA, 0, packedB, 0, block, 0, true);
            writeBack(block, M, roundUp(M, MR), N, 1f, 0f, c, 0, N);
            writeBack(block, M, roundUp(M, MR), N, 0.5f, 1f, c, 0, N);
        }

        /**
         * The product on every transpose combination, through the whole loop nest, serially; c is left
         * holding op(A) * op(B) with both transposed (A read as [K, M], B as [N, K]).
         */
        void products() {
            for (int op = 0; op < 4; op++) {
                compute((op & 2) != 0, (op & 1) != 0, M, N, K, 1f, a, 0, b, 0, 0f, c, 0, 0, M, 0, N);
            }
        }
    }

    /**
     * The product with both operands packed whole, once, by all threads together, then C computed in
     * units, each claimed by whichever thread is free: small units of UNIT_ROWS rows by UNIT_COLUMNS
     * columns, or, where there are enough of them, wide units of PREPACKED_BLOCK_ROWS rows by
     * WIDE_UNIT_COLUMNS, the last block of rows still in small units: the threads then finish within a
     * small unit of each other (GemmAB at N = 2048, against wide units throughout: 1.024, 1.008, 1.036
     * with 60 pairs each). The even split packs all of op(A) on every thread and waits at its end for
     * the slower core (7% of a 1024 product's time, median over 365 products); here A is packed once,
     * and units of a thirty-second of a 1024 product let the faster core take more. Bit for bit the
     * serial product: each element of C is computed by one thread, over the same panels in the same order.
     */
    private static void computePrepacked(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                         float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
        int kcStep = panelDepth(k);
        int panels = ceilDiv(k, kcStep);
        int rowBlocks = ceilDiv(m, PREPACKED_BLOCK_ROWS);
        int ncPadded = roundUp(n, NR);
        Workspace caller = WORKSPACE.get();
        float[] packedA = caller.prepackedA(roundUp(m, MR) * k);
        float[] packedB = caller.packedB(k * ncPadded);
        // Packing jobs: one per (block of rows, panel of k) of A, then one per panel of k of B.
        Parallel.forEach(rowBlocks * panels + panels, (long) PREPACKED_BLOCK_ROWS * kcStep, (from, to) -> {
            for (int job = from; job < to; job++) {
                if (job < rowBlocks * panels) {
                    int ic = job / panels * PREPACKED_BLOCK_ROWS;
                    int pc = job % panels * kcStep;
                    int mc = Math.min(PREPACKED_BLOCK_ROWS, m - ic);
                    SgemmPacking.packA(transA, a, aOff, m, k, ic, mc, pc, Math.min(kcStep, k - pc), packedA,
                            ic * k + pc * roundUp(mc, MR));
                } else {
                    int pc = (job - rowBlocks * panels) * kcStep;
                    SgemmPacking.packB(transB, b, bOff, n, k, pc, Math.min(kcStep, k - pc), 0, n, packedB, pc * ncPadded);
                }
            }
        });
        // Rows [0, wideRows) in wide units, the rest in small ones.
        int wideRows = wideUnits(m, n, Parallel.threads()) ? (rowBlocks - 1) * PREPACKED_BLOCK_ROWS : 0;
        int wideColBlocks = ceilDiv(n, WIDE_UNIT_COLUMNS);
        int wideUnits = wideRows / PREPACKED_BLOCK_ROWS * wideColBlocks;
        int smallColBlocks = ceilDiv(n, UNIT_COLUMNS);
        int smallUnits = ceilDiv(m - wideRows, UNIT_ROWS) * smallColBlocks;
        Parallel.forEach(wideUnits + smallUnits, (long) UNIT_ROWS * k * UNIT_COLUMNS, (from, to) -> {
            for (int u = from; u < to; u++) {
                int row;
                int rows;
                int jc;
                int nc;
                if (u < wideUnits) {
                    row = u / wideColBlocks * PREPACKED_BLOCK_ROWS;
                    rows = PREPACKED_BLOCK_ROWS;
                    jc = u % wideColBlocks * WIDE_UNIT_COLUMNS;
                    nc = Math.min(WIDE_UNIT_COLUMNS, n - jc);
                } else {
                    int small = u - wideUnits;
                    row = wideRows + small / smallColBlocks * UNIT_ROWS;
                    rows = Math.min(UNIT_ROWS, m - row);
                    jc = small % smallColBlocks * UNIT_COLUMNS;
                    nc = Math.min(UNIT_COLUMNS, n - jc);
                }
                computeUnit(m, n, k, kcStep, alpha, beta, c, cOff, row, rows, jc, nc, packedA, packedB, ncPadded,
                        WORKSPACE.get().blockC);
            }
        });
    }

    /**
     * Whether {@link #computePrepacked} takes wide units (PREPACKED_BLOCK_ROWS x WIDE_UNIT_COLUMNS): where
     * there would be WIDE_MIN_UNITS of them per thread.
     */
    static boolean wideUnits(int m, int n, int threads) {
        return (long) ceilDiv(m, PREPACKED_BLOCK_ROWS) * ceilDiv(n, WIDE_UNIT_COLUMNS) >= (long) WIDE_MIN_UNITS * threads;
    }

    /**
     * One unit of computePrepacked, all of k: C[row:row+rows, jc:jc+nc] from the pre-packed operands. The
     * rows start at a whole strip of the packed A (a multiple of MR) and lie in one of its blocks.
     */
    private static void computeUnit(int m, int n, int k, int kcStep, float alpha, float beta, float[] c, int cOff,
                                    int row, int rows, int jc, int nc, float[] packedA, float[] packedB,
                                    int ncPadded, float[] blockC) {
        int ic = row / PREPACKED_BLOCK_ROWS * PREPACKED_BLOCK_ROWS;
        int mcPadded = roundUp(Math.min(PREPACKED_BLOCK_ROWS, m - ic), MR);
        // The unit's tiles fill blockC from its start.
        int rowsPadded = roundUp(rows, MR);
        for (int pc = 0; pc < k; pc += kcStep) {
            int kc = Math.min(kcStep, k - pc);
            boolean accumulate = pc > 0;
            // The unit's first strip of A in this panel of its block.
            int aStrips = ic * k + pc * mcPadded + (row - ic) * kc;
            int panel = pc * ncPadded;
            for (int jr = 0; jr < nc; jr += NR) {
                int bOff = panel + (jc + jr) * kc;
                int tiles = jr * rowsPadded;
                for (int ir = 0; ir < rows; ir += MR) {
                    SgemmMicroKernel.multiply(kc, packedA, aStrips + ir * kc, packedB, bOff, blockC, tiles + ir * NR, accumulate);
                }
            }
        }
        writeBack(blockC, rows, rowsPadded, nc, alpha, beta, c, cOff + row * n + jc, n);
    }

    /**
     * The product with every thread on each block of B: the threads pack the block's strips between
     * them, then claim blocks of rows of C one at a time until none are left (see
     * {@link Parallel#forEach}). An even split of C ends when the slower core finishes its half, and on
     * this shared machine one core often runs at two thirds of the other's speed; with units claimed,
     * the faster core takes more of them. The sums are those of the serial product, bit for bit: every
     * element of C is computed by one thread, over the same panels in the same order.
     */
    private static void computeShared(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                      float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
        int kcStep = panelDepth(k);
        int ncStep = blockColumns(k);
        // Units of MC rows, the even split's blocks: each unit streams the whole block of packed B from L3,
        // and each B strip it loads into L1 serves MC / MR micro-tiles. Units of 128 rows (N = 1024 in
        // eight units) doubled that traffic and halved that reuse, and measured slower than the even split.
        int units = ceilDiv(m, MC);
        // The caller's buffer, read by every thread; computeRows uses only the A and C buffers of its own.
        float[] packedB = WORKSPACE.get().packedB(k * roundUp(Math.min(ncStep, n), NR));
        for (int jc = 0; jc < n; jc += ncStep) {
            int col = jc;
            int nc = Math.min(ncStep, n - jc);
            int ncPadded = roundUp(nc, NR);
            Parallel.forRange(ncPadded / NR, (long) k * NR, (from, to) ->
                    packBlockB(transB, b, bOff, n, k, kcStep, col, nc, ncPadded, from, to, packedB));
            Parallel.forEach(units, (long) MC * k * nc, (from, to) -> computeRows(transA, m, n, k, alpha,
                    a, aOff, beta, c, cOff, from * MC, Math.min(m, to * MC), col, nc, ncPadded,
                    packedB, WORKSPACE.get()));
        }
    }

    /** The product on the calling thread alone, whatever its size: what the threaded paths must reproduce. */
    static void sgemmSerial(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, float[] b,
                            float beta, float[] c) {
        compute(transA, transB, m, n, k, alpha, a, 0, b, 0, beta, c, 0, 0, m, 0, n);
    }

    /** Ratio of the largest share to the mean share when units are dealt out in contiguous chunks. */
    private static double imbalance(int units, int threads) {
        int chunks = Math.min(units, threads);
        return (double) ceilDiv(units, chunks) * threads / units;
    }

    /** C[rowFrom:rowTo, colFrom:colTo] on the calling thread. */
    private static void compute(boolean transA, boolean transB, int m, int n, int k,
                                float alpha, float[] a, int aOff, float[] b, int bOff, float beta, float[] c,
                                int cOff, int rowFrom, int rowTo, int colFrom, int colTo) {
        Workspace ws = WORKSPACE.get();
        int kcStep = panelDepth(k);
        int ncStep = blockColumns(k);
        for (int jc = colFrom; jc < colTo; jc += ncStep) {
            int nc = Math.min(ncStep, colTo - jc);
            int ncPadded = roundUp(nc, NR);
            float[] packedB = ws.packedB(k * ncPadded);
            packBlockB(transB, b, bOff, n, k, kcStep, jc, nc, ncPadded, 0, ncPadded / NR, packedB);
            computeRows(transA, m, n, k, alpha, a, aOff, beta, c, cOff, rowFrom, rowTo, jc, nc, ncPadded,
                    packedB, ws);
        }
    }

    /** Equal panels of at most KC: k = 784 runs as 4 x 196, not 3 x 256 + 16, whose short last
     * panel pays the tile's load and store of C for little work. */
    private static int panelDepth(int k) {
        return ceilDiv(k, ceilDiv(k, KC));
    }

    /** Columns per block of packed B: NC, or fewer where all of k would overflow the buffer's budget. */
    private static int blockColumns(int k) {
        return Math.max(NR, Math.min(NC, B_PANEL_FLOATS / k / NR * NR));
    }

    /**
     * Packs strips [stripFrom, stripTo) of op(B)[0:k, jc:jc+nc], for every panel of k: panel pc
     * starts at pc * ncPadded, its strip s at pc * ncPadded + s * NR * kc.
     */
    private static void packBlockB(boolean transB, float[] b, int bOff, int n, int k, int kcStep, int jc, int nc,
                                   int ncPadded, int stripFrom, int stripTo, float[] packedB) {
        int colFrom = stripFrom * NR;
        int cols = Math.min(nc, stripTo * NR) - colFrom;
        for (int pc = 0; pc < k; pc += kcStep) {
            int kc = Math.min(kcStep, k - pc);
            SgemmPacking.packB(transB, b, bOff, n, k, pc, kc, jc + colFrom, cols, packedB, pc * ncPadded + colFrom * kc);
        }
    }

    /**
     * C[rowFrom:rowTo, jc:jc+nc] from the packed block of B, all of k. Each MC x nc block of C is
     * finished over all of k while it sits in L2; reloading C from L3 once per panel of k (the former
     * pc-outside-ic order) cost ~5-10% at N = 2048.
     */
    private static void computeRows(boolean transA, int m, int n, int k, float alpha, float[] a, int aOff,
                                    float beta, float[] c, int cOff, int rowFrom, int rowTo, int jc, int nc,
                                    int ncPadded, float[] packedB, Workspace ws) {
        float[] packedA = ws.packedA;
        float[] blockC = ws.blockC;
        int kcStep = panelDepth(k);
        for (int ic = rowFrom; ic < rowTo; ic += MC) {
            int mc = Math.min(MC, rowTo - ic);
            int mcPadded = roundUp(mc, MR);
            for (int pc = 0; pc < k; pc += kcStep) {
                int kc = Math.min(kcStep, k - pc);
                // The first panel of k overwrites the block; later panels accumulate into it.
                boolean accumulate = pc > 0;
                SgemmPacking.packA(transA, a, aOff, m, k, ic, mc, pc, kc, packedA, 0);
                int panel = pc * ncPadded;
                for (int jr = 0; jr < nc; jr += NR) {
                    int bOff = panel + jr * kc;
                    int tiles = jr * mcPadded;
                    for (int ir = 0; ir < mc; ir += MR) {
                        SgemmMicroKernel.multiply(kc, packedA, ir * kc, packedB, bOff, blockC, tiles + ir * NR, accumulate);
                    }
                }
            }
            writeBack(blockC, mc, mcPadded, nc, alpha, beta, c, cOff + ic * n + jc, n);
        }
    }

    /**
     * C[cOff..] (mc x nc, row stride ldc) = alpha * block + beta * C, from the tile-major block
     * (tile (ir, jr) at jr * mcPadded + ir * NR, each MR rows of NR). beta == 0 never reads C, so NaN
     * left in it cannot leak through 0 * NaN.
     */
    private static void writeBack(float[] block, int mc, int mcPadded, int nc, float alpha, float beta,
                                  float[] c, int cOff, int ldc) {
        FloatVector alphaV = FloatVector.broadcast(SPECIES, alpha);
        FloatVector betaV = FloatVector.broadcast(SPECIES, beta);
        for (int i = 0; i < mc; i++) {
            for (int jr = 0; jr < nc; jr += NR) {
                int nr = Math.min(NR, nc - jr);
                int src = jr * mcPadded + i * NR;
                int dst = cOff + i * ldc + jr;
                if (nr == NR) {
                    for (int j = 0; j < NR; j += VLEN) {
                        FloatVector acc = FloatVector.fromArray(SPECIES, block, src + j).mul(alphaV);
                        if (beta != 0f) {
                            acc = FloatVector.fromArray(SPECIES, c, dst + j).fma(betaV, acc);
                        }
                        acc.intoArray(c, dst + j);
                    }
                } else if (beta == 0f) {
                    for (int j = 0; j < nr; j++) {
                        c[dst + j] = alpha * block[src + j];
                    }
                } else {
                    for (int j = 0; j < nr; j++) {
                        c[dst + j] = alpha * block[src + j] + beta * c[dst + j];
                    }
                }
            }
        }
    }

    /** C = beta * C, the whole result when k == 0 or alpha == 0. */
    private static void scale(float[] c, int off, int len, float beta) {
        if (beta == 0f) {
            Arrays.fill(c, off, off + len, 0f);
        } else if (beta != 1f) {
            for (int i = off; i < off + len; i++) {
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
