package dev.myelin.backend.cuda;

import java.util.Locale;

/**
 * Every kernel the CUDA backend launches, by its entry name in the packaged module (the constant's
 * name in lower case). The launcher resolves functions only through this enum and a test checks that
 * the packaged PTX has an {@code .entry} for each, so renaming a kernel in kernels/ fails CI here
 * rather than at a user's first launch on a GPU.
 */
enum CudaKernel {
    // kernels/elementwise.cl
    UNARY_OP, BINARY_OP, AXPBY, BIAS_ACTIVATION, ACTIVATION_BACKWARD,
    // kernels/reduce.cl
    REDUCE_ROWS, REDUCE_COLS, ARGMAX_ROWS,
    // kernels/softmax.cl
    SOFTMAX_ROWS, SOFTMAX_XENT, SOFTMAX_XENT_BACKWARD,
    // kernels/optim.cl
    SGD_UPDATE, ADAM_UPDATE,
    // kernels/gemm_tiled.cu: tile size, then transA/transB as n(ormal) or t(ransposed)
    GEMM_TILED_128_NN, GEMM_TILED_128_NT, GEMM_TILED_128_TN, GEMM_TILED_128_TT,
    GEMM_TILED_64_NN, GEMM_TILED_64_NT, GEMM_TILED_64_TN, GEMM_TILED_64_TT;

    /** The extern "C" name in the module. */
    String entry() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The tiled GEMM entry for a tile size (64 or 128) and transpose combination. */
    static CudaKernel gemm(int tile, boolean transA, boolean transB) {
        if (tile != 64 && tile != 128) {
            throw new IllegalArgumentException("no tiled GEMM kernel for tile " + tile);
        }
        return valueOf("GEMM_TILED_" + tile + "_" + (transA ? "T" : "N") + (transB ? "T" : "N"));
    }
}
