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
    UNARY_OP("ippi"), BINARY_OP("ipppiii"), AXPBY("fpfpi"), BIAS_ACTIVATION("ppiipii"), ACTIVATION_BACKWARD("ipppi"),
    UNARY_BACKWARD("ipppi"),
    // kernels/reduce.cl
    REDUCE_ROWS("ippii"), REDUCE_COLS("ippii"), ARGMAX_ROWS("ppii"),
    // kernels/softmax.cl
    SOFTMAX_ROWS("ppii"), SOFTMAX_XENT("ppppii"), SOFTMAX_XENT_BACKWARD("pppiif"),
    // kernels/optim.cl
    SGD_UPDATE("pppifffi"), ADAM_UPDATE("ppppifffffiff"), ADADELTA_UPDATE("ppppiffff"),
    // kernels/conv.cl
    IM2COL(Sig.CONV_GEOMETRY), COL2IM(Sig.CONV_GEOMETRY), CONV_OUTPUT("ppiipiiii"), CONV_GATHER_DY("ppiiii"),
    CONV_BIAS_GRAD("ppiii"), MAX_POOL2D("pppi" + Sig.POOL), MAX_POOL2D_BACKWARD("ppp" + Sig.POOL),
    AVG_POOL2D("pp" + Sig.POOL), AVG_POOL2D_BACKWARD("pp" + Sig.POOL),
    // kernels/norm.cl
    DROPOUT("pppiffii"), BATCH_NORM("ppppppppiiiiiff"), BATCH_NORM_BACKWARD("ppppppppiiiii"),
    // kernels/sequence.cl
    COPY_STRIDED("piiipiiiiiii"), CAUSAL_SOFTMAX("ppiif"), SOFTMAX_BACKWARD("pppiif"), LAYER_NORM("ppppppiiif"),
    LAYER_NORM_BACKWARD("ppppppii"), LAYER_NORM_PARAMS_PARTIAL("pppppiii"), LAYER_NORM_PARAMS_SUM("pppiii"),
    EMBEDDING("pppii"),
    EMBEDDING_BACKWARD("pppiii"),
    // kernels/recurrent.cl
    LSTM_CELL("ppppii"), LSTM_CELL_BACKWARD("pppppippii"), GRU_CELL("pppppii"), GRU_CELL_BACKWARD("pppppppii"),
    // kernels/gemm_tiled.cu: tile size, then transA/transB as n(ormal) or t(ransposed)
    GEMM_TILED_128_NN(Sig.GEMM), GEMM_TILED_128_NT(Sig.GEMM), GEMM_TILED_128_TN(Sig.GEMM), GEMM_TILED_128_TT(Sig.GEMM),
    GEMM_TILED_64_NN(Sig.GEMM), GEMM_TILED_64_NT(Sig.GEMM), GEMM_TILED_64_TN(Sig.GEMM), GEMM_TILED_64_TT(Sig.GEMM),
    // kernels/gemm_tiled.cu, batched over the grid's z
    GEMM_TILED_BATCHED_128_NN(Sig.GEMM_BATCHED), GEMM_TILED_BATCHED_128_NT(Sig.GEMM_BATCHED),
    GEMM_TILED_BATCHED_128_TN(Sig.GEMM_BATCHED), GEMM_TILED_BATCHED_128_TT(Sig.GEMM_BATCHED),
    GEMM_TILED_BATCHED_64_NN(Sig.GEMM_BATCHED), GEMM_TILED_BATCHED_64_NT(Sig.GEMM_BATCHED),
    GEMM_TILED_BATCHED_64_TN(Sig.GEMM_BATCHED), GEMM_TILED_BATCHED_64_TT(Sig.GEMM_BATCHED);

    private static final class Sig {
        /** m, n, k, alpha, a, b, beta, c */
        static final String GEMM = "iiifppfp";
        /** m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC */
        static final String GEMM_BATCHED = "iiifpipifpi";
        /** in, out, then C, H, W, k, s, pad, OH, OW, n0, nb */
        static final String CONV_GEOMETRY = "ppiiiiiiiiii";
        /** H, W, k, s, pad, OH, OW, total (after the buffers) */
        static final String POOL = "iiiiiiii";
    }

    private final String signature;

    /**
     * @param signature the kernel's parameters in order: i = int, f = float, p = device pointer. The
     *                  launcher checks every launch against it and a test checks it against the PTX, so
     *                  arguments can neither be passed in the wrong order nor drift from the source.
     */
    CudaKernel(String signature) {
        this.signature = signature;
    }

    String signature() {
        return signature;
    }

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

    /** The batched tiled GEMM entry for a tile size (64 or 128) and transpose combination. */
    static CudaKernel gemmBatched(int tile, boolean transA, boolean transB) {
        return valueOf("GEMM_TILED_BATCHED_" + gemm(tile, transA, transB).name().substring("GEMM_TILED_".length()));
    }
}
