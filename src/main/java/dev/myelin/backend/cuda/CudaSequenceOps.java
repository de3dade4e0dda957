package dev.myelin.backend.cuda;

import dev.myelin.backend.Buffer;
import dev.myelin.backend.ReductionChunks;
import dev.myelin.backend.StridedRange;
import dev.myelin.backend.UnaryOp;
import dev.myelin.backend.opencl.KernelCodes;

/**
 * The sequence-model ops of {@link CudaBackend}: the shared kernels/sequence.cl, kernels/recurrent.cl
 * and elementwise.cl's unary_backward with the launch shapes the OpenCL backend uses for them, and the
 * batched GEMM through cublasSgemmStridedBatched (or kernels/gemm_tiled.cu's batched entries without
 * cuBLAS). Kept apart so that the backend's own file stays about memory, streams and the original op set.
 */
final class CudaSequenceOps {
    /** layer_norm's save flags and layer_norm_params_sum's want flags (LN_* in kernels/sequence.cl). */
    private static final int SAVE_MEAN = 1, SAVE_INV_STD = 2, WANT_DGAMMA = 1, WANT_DBETA = 2;

    private final CudaBackend backend;
    /** Null when cuBLAS is not loaded. */
    private final CublasGemm cublas;
    private final int smCount;

    CudaSequenceOps(CudaBackend backend, CublasGemm cublas, int smCount) {
        this.backend = backend;
        this.cublas = cublas;
        this.smCount = smCount;
    }

    private CudaArgs args() {
        return backend.args();
    }

    void gemmBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     Buffer a, int strideA, Buffer b, int strideB, float beta, Buffer c, int strideC, int batch) {
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        // k == 0 goes to our kernel, whose C = beta * C then matches the CPU reference exactly (as gemm).
        if (cublas != null && k > 0) {
            backend.bind();
            cublas.sgemmStridedBatched(transA, transB, m, n, k, alpha, backend.ptr(a), strideA, backend.ptr(b), strideB,
                    beta, backend.ptr(c), strideC, batch);
            return;
        }
        LaunchDims.Gemm launch = LaunchDims.gemmBatched(transA, transB, m, n, batch, smCount);
        args().i(m).i(n).i(k).f(alpha).p(a).i(strideA).p(b).i(strideB).f(beta).p(c).i(strideC)
                .launch(launch.kernel(), launch.config());
    }

    void copyStrided(Buffer src, int srcOffset, int srcBatchStride, int srcRowStride,
                     Buffer dst, int dstOffset, int dstBatchStride, int dstRowStride,
                     int batches, int rows, int cols, boolean accumulate) {
        StridedRange.check("copyStrided source", src, srcOffset, srcBatchStride, srcRowStride, batches, rows, cols);
        StridedRange.check("copyStrided destination", dst, dstOffset, dstBatchStride, dstRowStride, batches, rows, cols);
        if (batches == 0 || rows == 0 || cols == 0) {
            return;
        }
        args().p(src).i(srcOffset).i(srcBatchStride).i(srcRowStride).p(dst).i(dstOffset).i(dstBatchStride)
                .i(dstRowStride).i(batches).i(rows).i(cols).i(accumulate ? 1 : 0)
                .launch(CudaKernel.COPY_STRIDED, LaunchDims.elementwise((long) batches * rows * cols));
    }

    void causalSoftmax(Buffer x, Buffer y, int rows, int cols, float scale) {
        if (rows == 0 || cols == 0) {
            return;
        }
        args().p(x).p(y).i(rows).i(cols).f(scale).launch(CudaKernel.CAUSAL_SOFTMAX, LaunchDims.rows(rows, cols));
    }

    void softmaxBackward(Buffer y, Buffer dy, Buffer dx, int rows, int cols, float scale) {
        if (rows == 0 || cols == 0) {
            return;
        }
        args().p(y).p(dy).p(dx).i(rows).i(cols).f(scale).launch(CudaKernel.SOFTMAX_BACKWARD, LaunchDims.rows(rows, cols));
    }

    void layerNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer saveMean, Buffer saveInvStd,
                   int rows, int cols, float eps) {
        if (rows == 0 || cols == 0) {
            return;
        }
        // Outputs not wanted get x as a stand-in (no null pointer is passed); the flags keep them unwritten.
        args().p(x).p(gamma).p(beta).p(y).p(saveMean == null ? x : saveMean).p(saveInvStd == null ? x : saveInvStd)
                .i((saveMean == null ? 0 : SAVE_MEAN) | (saveInvStd == null ? 0 : SAVE_INV_STD)).i(rows).i(cols).f(eps)
                .launch(CudaKernel.LAYER_NORM, LaunchDims.rows(rows, cols));
    }

    /** dx row by row; dgamma and dbeta in two passes over chunks of rows (see {@link ReductionChunks}). */
    void layerNormBackward(Buffer x, Buffer dy, Buffer gamma, Buffer saveMean, Buffer saveInvStd,
                           Buffer dx, Buffer dgamma, Buffer dbeta, int rows, int cols) {
        if (cols == 0) {
            return;
        }
        if (dx != null && rows > 0) {
            args().p(x).p(dy).p(gamma).p(saveMean).p(saveInvStd).p(dx).i(rows).i(cols)
                    .launch(CudaKernel.LAYER_NORM_BACKWARD, LaunchDims.rows(rows, cols));
        }
        if (dgamma != null || dbeta != null) {
            int chunkRows = ReductionChunks.rowsPerChunk(rows);
            int chunks = ReductionChunks.chunks(rows);
            Buffer partial = backend.allocate(Math.multiplyExact(2 * Math.max(chunks, 1), cols));
            try {
                if (chunks > 0) {
                    args().p(x).p(dy).p(saveMean).p(saveInvStd).p(partial).i(rows).i(cols).i(chunkRows)
                            .launch(CudaKernel.LAYER_NORM_PARAMS_PARTIAL, LaunchDims.elementwise((long) chunks * cols));
                }
                // Outputs not wanted get the workspace as a stand-in; the flags keep them unwritten.
                args().p(partial).p(dgamma == null ? partial : dgamma).p(dbeta == null ? partial : dbeta)
                        .i((dgamma == null ? 0 : WANT_DGAMMA) | (dbeta == null ? 0 : WANT_DBETA)).i(chunks).i(cols)
                        .launch(CudaKernel.LAYER_NORM_PARAMS_SUM, LaunchDims.elementwise(cols));
            } finally {
                // Released after enqueueing: the one in-order stream runs both kernels before the block is reused.
                backend.release(partial);
            }
        }
    }

    void embedding(Buffer table, Buffer ids, Buffer out, int n, int dim) {
        if (n == 0 || dim == 0) {
            return;
        }
        args().p(table).p(ids).p(out).i(n).i(dim).launch(CudaKernel.EMBEDDING, LaunchDims.elementwise((long) n * dim));
    }

    void embeddingBackward(Buffer dOut, Buffer ids, Buffer dTable, int n, int dim, int vocab) {
        if (vocab == 0 || dim == 0) {
            return;
        }
        args().p(dOut).p(ids).p(dTable).i(n).i(dim).i(vocab)
                .launch(CudaKernel.EMBEDDING_BACKWARD, LaunchDims.elementwise((long) vocab * dim));
    }

    void unaryBackward(UnaryOp op, Buffer x, Buffer dy, Buffer dx, int n) {
        if (n == 0) {
            return;
        }
        args().i(KernelCodes.of(op)).p(x).p(dy).p(dx).i(n).launch(CudaKernel.UNARY_BACKWARD, LaunchDims.elementwise(n));
    }

    void lstmCell(Buffer gates, Buffer cPrev, Buffer c, Buffer h, int batch, int hidden) {
        if (batch == 0 || hidden == 0) {
            return;
        }
        args().p(gates).p(cPrev).p(c).p(h).i(batch).i(hidden)
                .launch(CudaKernel.LSTM_CELL, LaunchDims.elementwise((long) batch * hidden));
    }

    void lstmCellBackward(Buffer gates, Buffer cPrev, Buffer c, Buffer dh, Buffer dc,
                          Buffer dGates, Buffer dcPrev, int batch, int hidden) {
        if (batch == 0 || hidden == 0) {
            return;
        }
        // Without dc the kernel never reads that argument; dh stands in.
        args().p(gates).p(cPrev).p(c).p(dh).p(dc == null ? dh : dc).i(dc == null ? 0 : 1).p(dGates).p(dcPrev)
                .i(batch).i(hidden).launch(CudaKernel.LSTM_CELL_BACKWARD, LaunchDims.elementwise((long) batch * hidden));
    }

    void gruCell(Buffer xg, Buffer hg, Buffer hPrev, Buffer h, Buffer saved, int batch, int hidden) {
        if (batch == 0 || hidden == 0) {
            return;
        }
        args().p(xg).p(hg).p(hPrev).p(h).p(saved).i(batch).i(hidden)
                .launch(CudaKernel.GRU_CELL, LaunchDims.elementwise((long) batch * hidden));
    }

    void gruCellBackward(Buffer saved, Buffer hg, Buffer hPrev, Buffer dh,
                         Buffer dxg, Buffer dhg, Buffer dhPrev, int batch, int hidden) {
        if (batch == 0 || hidden == 0) {
            return;
        }
        args().p(saved).p(hg).p(hPrev).p(dh).p(dxg).p(dhg).p(dhPrev).i(batch).i(hidden)
                .launch(CudaKernel.GRU_CELL_BACKWARD, LaunchDims.elementwise((long) batch * hidden));
    }
}
