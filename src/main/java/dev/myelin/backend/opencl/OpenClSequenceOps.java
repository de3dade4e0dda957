package dev.myelin.backend.opencl;

import dev.myelin.backend.Buffer;
import dev.myelin.backend.ReductionChunks;
import dev.myelin.backend.StridedRange;
import dev.myelin.backend.UnaryOp;

import static dev.myelin.backend.opencl.OpenClBackend.mem;
import static org.lwjgl.opencl.CL10.clSetKernelArg1f;
import static org.lwjgl.opencl.CL10.clSetKernelArg1i;
import static org.lwjgl.opencl.CL10.clSetKernelArg1p;

/**
 * The sequence-model ops of {@link OpenClBackend} (kernels/gemm.cl's gemm_batched, kernels/sequence.cl,
 * kernels/recurrent.cl and elementwise.cl's unary_backward), kept apart so that the backend's own file
 * stays about memory, queues and the original op set. Launches go through the backend's
 * {@link OpenClLauncher}, on its one in-order queue.
 */
final class OpenClSequenceOps {
    /** layer_norm's save flags and layer_norm_params_sum's want flags (LN_* in kernels/sequence.cl). */
    private static final int SAVE_MEAN = 1, SAVE_INV_STD = 2, WANT_DGAMMA = 1, WANT_DBETA = 2;

    private final OpenClBackend backend;
    private final OpenClLauncher launcher;

    OpenClSequenceOps(OpenClBackend backend, OpenClLauncher launcher) {
        this.backend = backend;
        this.launcher = launcher;
    }

    void gemmBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     Buffer a, int strideA, Buffer b, int strideB, float beta, Buffer c, int strideC, int batch) {
        if (m == 0 || n == 0 || batch == 0) {
            return;
        }
        long kernel = launcher.begin("gemm_batched");
        clSetKernelArg1i(kernel, 0, transA ? 1 : 0);
        clSetKernelArg1i(kernel, 1, transB ? 1 : 0);
        clSetKernelArg1i(kernel, 2, m);
        clSetKernelArg1i(kernel, 3, n);
        clSetKernelArg1i(kernel, 4, k);
        clSetKernelArg1f(kernel, 5, alpha);
        clSetKernelArg1p(kernel, 6, mem(a));
        clSetKernelArg1i(kernel, 7, strideA);
        clSetKernelArg1p(kernel, 8, mem(b));
        clSetKernelArg1i(kernel, 9, strideB);
        clSetKernelArg1f(kernel, 10, beta);
        clSetKernelArg1p(kernel, 11, mem(c));
        clSetKernelArg1i(kernel, 12, strideC);
        int t = launcher.gemmTile();
        launcher.enqueue(3, ((long) n + t - 1) / t * t, ((long) m + t - 1) / t * t, batch, t, t);
    }

    void copyStrided(Buffer src, int srcOffset, int srcBatchStride, int srcRowStride,
                     Buffer dst, int dstOffset, int dstBatchStride, int dstRowStride,
                     int batches, int rows, int cols, boolean accumulate) {
        StridedRange.check("copyStrided source", src, srcOffset, srcBatchStride, srcRowStride, batches, rows, cols);
        StridedRange.check("copyStrided destination", dst, dstOffset, dstBatchStride, dstRowStride, batches, rows, cols);
        if (batches == 0 || rows == 0 || cols == 0) {
            return;
        }
        long k = launcher.begin("copy_strided");
        clSetKernelArg1p(k, 0, mem(src));
        clSetKernelArg1i(k, 1, srcOffset);
        clSetKernelArg1i(k, 2, srcBatchStride);
        clSetKernelArg1i(k, 3, srcRowStride);
        clSetKernelArg1p(k, 4, mem(dst));
        clSetKernelArg1i(k, 5, dstOffset);
        clSetKernelArg1i(k, 6, dstBatchStride);
        clSetKernelArg1i(k, 7, dstRowStride);
        clSetKernelArg1i(k, 8, batches);
        clSetKernelArg1i(k, 9, rows);
        clSetKernelArg1i(k, 10, cols);
        clSetKernelArg1i(k, 11, accumulate ? 1 : 0);
        launcher.launch1d(Math.multiplyExact(Math.multiplyExact(batches, rows), cols));
    }

    void causalSoftmax(Buffer x, Buffer y, int rows, int cols, float scale) {
        if (rows == 0 || cols == 0) {
            return;
        }
        long k = launcher.begin("causal_softmax");
        clSetKernelArg1p(k, 0, mem(x));
        clSetKernelArg1p(k, 1, mem(y));
        clSetKernelArg1i(k, 2, rows);
        clSetKernelArg1i(k, 3, cols);
        clSetKernelArg1f(k, 4, scale);
        launcher.launchRows(rows, cols);
    }

    void softmaxBackward(Buffer y, Buffer dy, Buffer dx, int rows, int cols, float scale) {
        if (rows == 0 || cols == 0) {
            return;
        }
        long k = launcher.begin("softmax_backward");
        clSetKernelArg1p(k, 0, mem(y));
        clSetKernelArg1p(k, 1, mem(dy));
        clSetKernelArg1p(k, 2, mem(dx));
        clSetKernelArg1i(k, 3, rows);
        clSetKernelArg1i(k, 4, cols);
        clSetKernelArg1f(k, 5, scale);
        launcher.launchRows(rows, cols);
    }

    void layerNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer saveMean, Buffer saveInvStd,
                   int rows, int cols, float eps) {
        if (rows == 0 || cols == 0) {
            return;
        }
        long xm = mem(x);
        long k = launcher.begin("layer_norm");
        clSetKernelArg1p(k, 0, xm);
        clSetKernelArg1p(k, 1, mem(gamma));
        clSetKernelArg1p(k, 2, mem(beta));
        clSetKernelArg1p(k, 3, mem(y));
        // Outputs not wanted get x as a stand-in (no NULL cl_mem is passed); the flags keep them unwritten.
        clSetKernelArg1p(k, 4, saveMean == null ? xm : mem(saveMean));
        clSetKernelArg1p(k, 5, saveInvStd == null ? xm : mem(saveInvStd));
        clSetKernelArg1i(k, 6, (saveMean == null ? 0 : SAVE_MEAN) | (saveInvStd == null ? 0 : SAVE_INV_STD));
        clSetKernelArg1i(k, 7, rows);
        clSetKernelArg1i(k, 8, cols);
        clSetKernelArg1f(k, 9, eps);
        launcher.launchRows(rows, cols);
    }

    /** dx row by row; dgamma and dbeta in two passes over chunks of rows (see {@link ReductionChunks}). */
    void layerNormBackward(Buffer x, Buffer dy, Buffer gamma, Buffer saveMean, Buffer saveInvStd,
                           Buffer dx, Buffer dgamma, Buffer dbeta, int rows, int cols) {
        if (cols == 0) {
            return;
        }
        if (dx != null && rows > 0) {
            long k = launcher.begin("layer_norm_backward");
            clSetKernelArg1p(k, 0, mem(x));
            clSetKernelArg1p(k, 1, mem(dy));
            clSetKernelArg1p(k, 2, mem(gamma));
            clSetKernelArg1p(k, 3, mem(saveMean));
            clSetKernelArg1p(k, 4, mem(saveInvStd));
            clSetKernelArg1p(k, 5, mem(dx));
            clSetKernelArg1i(k, 6, rows);
            clSetKernelArg1i(k, 7, cols);
            launcher.launchRows(rows, cols);
        }
        if (dgamma != null || dbeta != null) {
            int chunkRows = ReductionChunks.rowsPerChunk(rows);
            int chunks = ReductionChunks.chunks(rows);
            Buffer partial = backend.allocate(Math.multiplyExact(2 * Math.max(chunks, 1), cols));
            try {
                long k = launcher.begin("layer_norm_params_partial");
                clSetKernelArg1p(k, 0, mem(x));
                clSetKernelArg1p(k, 1, mem(dy));
                clSetKernelArg1p(k, 2, mem(saveMean));
                clSetKernelArg1p(k, 3, mem(saveInvStd));
                clSetKernelArg1p(k, 4, mem(partial));
                clSetKernelArg1i(k, 5, rows);
                clSetKernelArg1i(k, 6, cols);
                clSetKernelArg1i(k, 7, chunkRows);
                if (chunks > 0) {
                    launcher.launch1d(Math.multiplyExact(chunks, cols));
                }
                long pm = mem(partial);
                k = launcher.begin("layer_norm_params_sum");
                clSetKernelArg1p(k, 0, pm);
                // Outputs not wanted get the workspace as a stand-in; the flags keep them unwritten.
                clSetKernelArg1p(k, 1, dgamma == null ? pm : mem(dgamma));
                clSetKernelArg1p(k, 2, dbeta == null ? pm : mem(dbeta));
                clSetKernelArg1i(k, 3, (dgamma == null ? 0 : WANT_DGAMMA) | (dbeta == null ? 0 : WANT_DBETA));
                clSetKernelArg1i(k, 4, chunks);
                clSetKernelArg1i(k, 5, cols);
                launcher.launch1d(cols);
            } finally {
                // Released after enqueueing: the in-order queue runs both kernels before the buffer is reused.
                backend.release(partial);
            }
        }
    }

    void embedding(Buffer table, Buffer ids, Buffer out, int n, int dim) {
        if (n == 0 || dim == 0) {
            return;
        }
        long k = launcher.begin("embedding");
        clSetKernelArg1p(k, 0, mem(table));
        clSetKernelArg1p(k, 1, mem(ids));
        clSetKernelArg1p(k, 2, mem(out));
        clSetKernelArg1i(k, 3, n);
        clSetKernelArg1i(k, 4, dim);
        launcher.launch1d(Math.multiplyExact(n, dim));
    }

    void embeddingBackward(Buffer dOut, Buffer ids, Buffer dTable, int n, int dim, int vocab) {
        if (vocab == 0 || dim == 0) {
            return;
        }
        long k = launcher.begin("embedding_backward");
        clSetKernelArg1p(k, 0, mem(dOut));
        clSetKernelArg1p(k, 1, mem(ids));
        clSetKernelArg1p(k, 2, mem(dTable));
        clSetKernelArg1i(k, 3, n);
        clSetKernelArg1i(k, 4, dim);
        clSetKernelArg1i(k, 5, vocab);
        launcher.launch1d(Math.multiplyExact(vocab, dim));
    }

    void unaryBackward(UnaryOp op, Buffer x, Buffer dy, Buffer dx, int n) {
        if (n == 0) {
            return;
        }
        long k = launcher.begin("unary_backward");
        clSetKernelArg1i(k, 0, KernelCodes.of(op));
        clSetKernelArg1p(k, 1, mem(x));
        clSetKernelArg1p(k, 2, mem(dy));
        clSetKernelArg1p(k, 3, mem(dx));
        clSetKernelArg1i(k, 4, n);
        launcher.launch1d(n);
    }

    void lstmCell(Buffer gates, Buffer cPrev, Buffer c, Buffer h, int batch, int hidden) {
        if (batch == 0 || hidden == 0) {
            return;
        }
        long k = launcher.begin("lstm_cell");
        clSetKernelArg1p(k, 0, mem(gates));
        clSetKernelArg1p(k, 1, mem(cPrev));
        clSetKernelArg1p(k, 2, mem(c));
        clSetKernelArg1p(k, 3, mem(h));
        clSetKernelArg1i(k, 4, batch);
        clSetKernelArg1i(k, 5, hidden);
        launcher.launch1d(Math.multiplyExact(batch, hidden));
    }

    void lstmCellBackward(Buffer gates, Buffer cPrev, Buffer c, Buffer dh, Buffer dc,
                          Buffer dGates, Buffer dcPrev, int batch, int hidden) {
        if (batch == 0 || hidden == 0) {
            return;
        }
        long dhm = mem(dh);
        long k = launcher.begin("lstm_cell_backward");
        clSetKernelArg1p(k, 0, mem(gates));
        clSetKernelArg1p(k, 1, mem(cPrev));
        clSetKernelArg1p(k, 2, mem(c));
        clSetKernelArg1p(k, 3, dhm);
        // Without dc the kernel never reads that argument; dh stands in.
        clSetKernelArg1p(k, 4, dc == null ? dhm : mem(dc));
        clSetKernelArg1i(k, 5, dc == null ? 0 : 1);
        clSetKernelArg1p(k, 6, mem(dGates));
        clSetKernelArg1p(k, 7, mem(dcPrev));
        clSetKernelArg1i(k, 8, batch);
        clSetKernelArg1i(k, 9, hidden);
        launcher.launch1d(Math.multiplyExact(batch, hidden));
    }

    void gruCell(Buffer xg, Buffer hg, Buffer hPrev, Buffer h, Buffer saved, int batch, int hidden) {
        if (batch == 0 || hidden == 0) {
            return;
        }
        long k = launcher.begin("gru_cell");
        clSetKernelArg1p(k, 0, mem(xg));
        clSetKernelArg1p(k, 1, mem(hg));
        clSetKernelArg1p(k, 2, mem(hPrev));
        clSetKernelArg1p(k, 3, mem(h));
        clSetKernelArg1p(k, 4, mem(saved));
        clSetKernelArg1i(k, 5, batch);
        clSetKernelArg1i(k, 6, hidden);
        launcher.launch1d(Math.multiplyExact(batch, hidden));
    }

    void gruCellBackward(Buffer saved, Buffer hg, Buffer hPrev, Buffer dh,
                         Buffer dxg, Buffer dhg, Buffer dhPrev, int batch, int hidden) {
        if (batch == 0 || hidden == 0) {
            return;
        }
        long k = launcher.begin("gru_cell_backward");
        clSetKernelArg1p(k, 0, mem(saved));
        clSetKernelArg1p(k, 1, mem(hg));
        clSetKernelArg1p(k, 2, mem(hPrev));
        clSetKernelArg1p(k, 3, mem(dh));
        clSetKernelArg1p(k, 4, mem(dxg));
        clSetKernelArg1p(k, 5, mem(dhg));
        clSetKernelArg1p(k, 6, mem(dhPrev));
        clSetKernelArg1i(k, 7, batch);
        clSetKernelArg1i(k, 8, hidden);
        launcher.launch1d(Math.multiplyExact(batch, hidden));
    }
}
