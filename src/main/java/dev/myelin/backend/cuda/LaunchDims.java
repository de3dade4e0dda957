package dev.myelin.backend.cuda;

import dev.myelin.backend.BackendException;

/**
 * Grid and block dimensions for every kernel, as pure functions so they are tested without a GPU.
 * They reproduce what the OpenCL backend asks of the same kernels: in OpenCL the global size is the
 * total number of work-items, in CUDA the grid counts blocks, and kernels/cuda_preamble.h maps
 * get_global_id(d) to blockIdx * blockDim + threadIdx, get_group_id to blockIdx and get_local_size
 * to blockDim. So an NDRange (global G, local L) becomes grid ceil(G / L), block L.
 */
final class LaunchDims {
    /** Block size of the 1-D element-wise kernels (OpenCL: ELEMENT_GROUP). */
    static final int ELEMENT_BLOCK = 256;
    /** Block size of the one-block-per-row kernels for rows longer than a warp (OpenCL: ROW_GROUP). */
    static final int ROW_BLOCK = 128;
    /** Rows of at most this many columns get a block of one warp. */
    static final int SHORT_ROW = 32;
    /** The row kernels' __local arrays hold 256 entries (REDUCE_GROUP_MAX, SOFTMAX_GROUP_MAX). */
    static final int ROW_BLOCK_MAX = 256;
    /** Threads per block of every gemm_tiled_* kernel (GEMM_THREADS in kernels/gemm_tiled.cu). */
    static final int GEMM_THREADS = 256;
    /** CUDA's limit on gridDim.x. */
    static final long MAX_GRID_X = Integer.MAX_VALUE;
    /** CUDA's limit on gridDim.y. */
    static final long MAX_GRID_Y = 65_535;
    /** CUDA's limit on gridDim.z. */
    static final long MAX_GRID_Z = 65_535;

    private LaunchDims() {
    }

    /** One thread per element, blocks of 256; the kernels skip indices at or past {@code n}. */
    static LaunchConfig elementwise(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("element-wise launch over " + n + " elements");
        }
        long blocks = (n + ELEMENT_BLOCK - 1) / ELEMENT_BLOCK;
        return new LaunchConfig(gridX(blocks, "element-wise kernel over " + n + " elements"), 1, ELEMENT_BLOCK, 1);
    }

    /**
     * One block per row, its size a power of two (the kernels' tree reductions need one): a warp for
     * short rows, else 128, as the OpenCL backend's launchRows.
     */
    static LaunchConfig rows(int rows, int cols) {
        if (rows < 1) {
            throw new IllegalArgumentException("row launch over " + rows + " rows");
        }
        int block = cols <= SHORT_ROW ? SHORT_ROW : ROW_BLOCK;
        return new LaunchConfig(gridX(rows, "row kernel over " + rows + " rows"), 1, block, 1);
    }

    /** Which gemm_tiled kernel and how to launch it. */
    record Gemm(CudaKernel kernel, int tile, LaunchConfig config) {
    }

    /**
     * The 128x128 tile does twice the work per loaded element of the 64x64 one, but a product that
     * gives fewer 128-tiles than the device has SMs would leave SMs idle (a 256 x 4096 layer output
     * makes 64 tiles for 132 SMs on an H100): then the 64-tile kernel, four times the blocks, wins.
     */
    static Gemm gemm(boolean transA, boolean transB, int m, int n, int smCount) {
        if (m < 1 || n < 1) {
            throw new IllegalArgumentException("GEMM launch for an empty " + m + "x" + n + " product");
        }
        long big = ceilDiv(m, 128) * ceilDiv(n, 128);
        int tile = big >= Math.max(1, smCount) || ceilDiv(m, 64) > MAX_GRID_Y ? 128 : 64;
        long gridY = ceilDiv(m, tile);
        if (gridY > MAX_GRID_Y) {
            throw new BackendException("cuda: GEMM with m = " + m + " rows needs " + gridY
                    + " row blocks, more than CUDA's grid limit of " + MAX_GRID_Y);
        }
        LaunchConfig config = new LaunchConfig(gridX(ceilDiv(n, tile), "GEMM over " + n + " columns"), (int) gridY,
                GEMM_THREADS, 1);
        return new Gemm(CudaKernel.gemm(tile, transA, transB), tile, config);
    }

    /**
     * The batched variant: the same tiles with the batch on the grid's z (at most 65,535, CUDA's limit);
     * the tile choice counts the blocks of the whole batch against the SMs.
     */
    static Gemm gemmBatched(boolean transA, boolean transB, int m, int n, int batch, int smCount) {
        if (batch < 1 || batch > MAX_GRID_Z) {
            throw new BackendException("cuda: batched GEMM over " + batch + " matrices: the batch must be in [1, "
                    + MAX_GRID_Z + "] (CUDA's grid limit)");
        }
        Gemm one = gemm(transA, transB, m, n, (int) Math.max(1, Math.ceil((double) smCount / batch)));
        LaunchConfig c = one.config();
        return new Gemm(CudaKernel.gemmBatched(one.tile(), transA, transB), one.tile(),
                new LaunchConfig(c.gridX(), c.gridY(), batch, c.blockX(), c.blockY()));
    }

    private static int gridX(long blocks, String what) {
        if (blocks > MAX_GRID_X) {
            throw new BackendException("cuda: " + what + " needs " + blocks + " blocks, more than CUDA's grid limit");
        }
        return (int) blocks;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
