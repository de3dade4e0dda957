package dev.myelin.backend.cpu;

/**
 * The CPU reference of the sequence-model ops (see the "sequence models" section of
 * {@link dev.myelin.backend.Backend}): strided copies, batched GEMM, causal softmax, layer norm,
 * embeddings and the LSTM/GRU cells. Loops are plain counted loops over contiguous rows, split over
 * {@link Parallel} when they are large enough.
 */
final class SequenceKernels {
    private SequenceKernels() {
    }

    // ---------------------------------------------------------------- copies and products

    static void copyStrided(float[] src, int srcOffset, int srcBatchStride, int srcRowStride,
                            float[] dst, int dstOffset, int dstBatchStride, int dstRowStride,
                            int batches, int rows, int cols, boolean accumulate) {
        if (batches <= 0 || rows <= 0 || cols <= 0) {
            return;
        }
        Parallel.forRange(batches * rows, cols, (from, to) -> {
            for (int q = from; q < to; q++) {
                int b = q / rows;
                int r = q - b * rows;
                int s = srcOffset + b * srcBatchStride + r * srcRowStride;
                int d = dstOffset + b * dstBatchStride + r * dstRowStride;
                if (accumulate) {
                    for (int j = 0; j < cols; j++) {
                        dst[d + j] += src[s + j];
                    }
                } else if (cols < 8) {
                    // Transposes copy single elements: a call of arraycopy each would cost more than the copy.
                    for (int j = 0; j < cols; j++) {
                        dst[d + j] = src[s + j];
                    }
                } else {
                    System.arraycopy(src, s, dst, d, cols);
                }
            }
        });
    }

    /**
     * Batched GEMM, each entry read and written in place at its offset (copying the entries to scratch
     * and back, the former way, took about half of an attention head's product). Many small entries
     * (attention heads) run one per thread; a few large ones are split inside.
     */
    static void gemmBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int strideA, float[] b, int strideB, float beta, float[] c, int strideC,
                            int batch) {
        if (batch <= 0 || m <= 0 || n <= 0) {
            return;
        }
        long macs = (long) m * n * Math.max(k, 1);
        if (batch == 1) {
            CpuGemm.gemm(transA, transB, m, n, k, alpha, a, 0, b, 0, beta, c, 0);
            return;
        }
        boolean perEntryParallel = batch >= 2 * Parallel.threads() || macs < (1L << 20);
        if (perEntryParallel) {
            Parallel.forRange(batch, macs, (from, to) -> {
                for (int i = from; i < to; i++) {
                    CpuGemm.gemm(transA, transB, m, n, k, alpha, a, i * strideA, b, i * strideB, beta, c, i * strideC);
                }
            });
        } else {
            for (int i = 0; i < batch; i++) {
                CpuGemm.gemm(transA, transB, m, n, k, alpha, a, i * strideA, b, i * strideB, beta, c, i * strideC);
            }
        }
    }

    // ---------------------------------------------------------------- softmax

    static void causalSoftmax(float[] x, float[] y, int rows, int cols, float scale) {
        boolean vector = VectorSupport.available();
        Parallel.forRange(rows, 8L * cols, (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * cols;
                int visible = r % cols + 1;
                if (vector) {
                    VectorSequenceKernels.causalSoftmaxRow(x, y, base, cols, visible, scale);
                } else {
                    causalSoftmaxRowScalar(x, y, base, cols, visible, scale);
                }
            }
        });
    }

    static void causalSoftmaxRowScalar(float[] x, float[] y, int base, int cols, int visible, float scale) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < visible; j++) {
            max = Math.max(max, scale * x[base + j]);
        }
        float sum = 0f;
        for (int j = 0; j < visible; j++) {
            float e = (float) Math.exp(scale * x[base + j] - max);
            y[base + j] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int j = 0; j < visible; j++) {
            y[base + j] *= inv;
        }
        for (int j = visible; j < cols; j++) {
            y[base + j] = 0f;
        }
    }

    static void softmaxBackward(float[] y, float[] dy, float[] dx, int rows, int cols, float scale) {
        boolean vector = VectorSupport.available();
        Parallel.forRange(rows, 4L * cols, (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * cols;
                if (vector) {
                    VectorSequenceKernels.softmaxBackwardRow(y, dy, dx, base, cols, scale);
                    continue;
                }
                float dot = 0f;
                for (int j = 0; j < cols; j++) {
                    dot += dy[base + j] * y[base + j];
                }
                for (int j = 0; j < cols; j++) {
                    dx[base + j] = scale * y[base + j] * (dy[base + j] - dot);
                }
            }
        });
    }

    // ---------------------------------------------------------------- layer norm

    static void layerNorm(float[] x, float[] gamma, float[] beta, float[] y, float[] saveMean, float[] saveInvStd,
                          int rows, int cols, float eps) {
        boolean vector = VectorSupport.available();
        Parallel.forRange(rows, 4L * cols, (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * cols;
                float mean;
                float sq;
                // Two passes: the variance from squared deviations, not E[x^2] - mean^2, which cancels.
                if (vector) {
                    mean = VectorSequenceKernels.sum(x, base, cols) / cols;
                    sq = VectorSequenceKernels.squaredDeviations(x, base, cols, mean);
                } else {
                    float sum = 0f;
                    for (int j = 0; j < cols; j++) {
                        sum += x[base + j];
                    }
                    mean = sum / cols;
                    sq = 0f;
                    for (int j = 0; j < cols; j++) {
                        float d = x[base + j] - mean;
                        sq += d * d;
                    }
                }
                float invStd = (float) (1.0 / Math.sqrt(sq / cols + eps));
                if (vector) {
                    VectorSequenceKernels.normalizeRow(x, gamma, beta, y, base, cols, mean, invStd);
                } else {
                    for (int j = 0; j < cols; j++) {
                        y[base + j] = (x[base + j] - mean) * invStd * gamma[j] + beta[j];
                    }
                }
                if (saveMean != null) {
                    saveMean[r] = mean;
                }
                if (saveInvStd != null) {
                    saveInvStd[r] = invStd;
                }
            }
        });
    }

    static void layerNormBackward(float[] x, float[] dy, float[] gamma, float[] mean, float[] invStd,
                                  float[] dx, float[] dgamma, float[] dbeta, int rows, int cols) {
        if (dx != null) {
            boolean vector = VectorSupport.available();
            Parallel.forRange(rows, 6L * cols, (from, to) -> {
                for (int r = from; r < to; r++) {
                    int base = r * cols;
                    float mu = mean[r];
                    float is = invStd[r];
                    if (vector) {
                        VectorSequenceKernels.layerNormBackwardRow(x, dy, gamma, dx, base, cols, mu, is);
                        continue;
                    }
                    float sumG = 0f;
                    float sumGx = 0f;
                    for (int j = 0; j < cols; j++) {
                        float g = dy[base + j] * gamma[j];
                        sumG += g;
                        sumGx += g * (x[base + j] - mu) * is;
                    }
                    float factor = is / cols;
                    for (int j = 0; j < cols; j++) {
                        float xhat = (x[base + j] - mu) * is;
                        dx[base + j] = factor * (cols * dy[base + j] * gamma[j] - sumG - xhat * sumGx);
                    }
                }
            });
        }
        if (dgamma != null || dbeta != null) {
            layerNormParamGrads(x, dy, mean, invStd, dgamma, dbeta, rows, cols);
        }
    }

    /** Rows per partial sum of the layer-norm parameter gradients: fixed, so the sums do not depend on the thread count. */
    private static final int NORM_ROW_BLOCK = 64;
    /** Per-thread partial sums of {@link #layerNormParamGrads}, grown on demand. */
    private static final ThreadLocal<float[][]> NORM_PARTIALS = ThreadLocal.withInitial(() -> new float[1][0]);

    /**
     * dgamma[j] = sum over rows of dy * xhat, dbeta[j] = sum of dy. Each block of NORM_ROW_BLOCK rows sums
     * into its own partial row by row (contiguous, vectorisable), and the partials are added in block
     * order: deterministic, and parallel however few columns there are. Split over columns instead (the
     * former way), each thread walked every row for a slice of 64 columns, 8x slower than the dx pass.
     */
    private static void layerNormParamGrads(float[] x, float[] dy, float[] mean, float[] invStd,
                                            float[] dgamma, float[] dbeta, int rows, int cols) {
        int blocks = (rows + NORM_ROW_BLOCK - 1) / NORM_ROW_BLOCK;
        float[][] holder = NORM_PARTIALS.get();
        if (holder[0].length < 2 * blocks * cols) {
            holder[0] = new float[2 * blocks * cols];
        }
        float[] partials = holder[0];
        boolean vector = VectorSupport.available();
        Parallel.forRange(blocks, 3L * NORM_ROW_BLOCK * cols, (from, to) -> {
            for (int blk = from; blk < to; blk++) {
                int g = 2 * blk * cols;
                int bt = g + cols;
                java.util.Arrays.fill(partials, g, g + 2 * cols, 0f);
                int end = Math.min(rows, (blk + 1) * NORM_ROW_BLOCK);
                for (int r = blk * NORM_ROW_BLOCK; r < end; r++) {
                    int base = r * cols;
                    float mu = mean[r];
                    float is = invStd[r];
                    if (vector) {
                        VectorSequenceKernels.normParamGradRow(x, dy, base, cols, mu, is, partials, g, bt);
                        continue;
                    }
                    for (int j = 0; j < cols; j++) {
                        float d = dy[base + j];
                        partials[g + j] += d * ((x[base + j] - mu) * is);
                        partials[bt + j] += d;
                    }
                }
            }
        });
        if (dgamma != null) {
            java.util.Arrays.fill(dgamma, 0, cols, 0f);
        }
        if (dbeta != null) {
            java.util.Arrays.fill(dbeta, 0, cols, 0f);
        }
        for (int blk = 0; blk < blocks; blk++) {
            int g = 2 * blk * cols;
            if (dgamma != null) {
                for (int j = 0; j < cols; j++) {
                    dgamma[j] += partials[g + j];
                }
            }
            if (dbeta != null) {
                for (int j = 0; j < cols; j++) {
                    dbeta[j] += partials[g + cols + j];
                }
            }
        }
    }

    // ---------------------------------------------------------------- embeddings

    static int index(float value, int limit, int position, String op) {
        int id = (int) value;
        if (id != value || id < 0 || id >= limit) {
            throw new IllegalArgumentException(op + ": id " + value + " at position " + position
                    + " is not a row index in [0, " + limit + ")");
        }
        return id;
    }

    static void embedding(float[] table, float[] ids, float[] out, int n, int dim) {
        int vocab = table.length / Math.max(dim, 1);
        Parallel.forRange(n, dim, (from, to) -> {
            for (int i = from; i < to; i++) {
                int id = index(ids[i], vocab, i, "embedding");
                System.arraycopy(table, id * dim, out, i * dim, dim);
            }
        });
    }

    /** Split over column ranges of the table: every thread adds the rows of dOut in ascending i, so the sums are deterministic. */
    static void embeddingBackward(float[] dOut, float[] ids, float[] dTable, int n, int dim, int vocab) {
        for (int i = 0; i < n; i++) {
            index(ids[i], vocab, i, "embedding backward");
        }
        Parallel.forRange(dim, (long) n + vocab, (from, to) -> {
            for (int v = 0; v < vocab; v++) {
                java.util.Arrays.fill(dTable, v * dim + from, v * dim + to, 0f);
            }
            for (int i = 0; i < n; i++) {
                int d = (int) ids[i] * dim;
                int s = i * dim;
                for (int j = from; j < to; j++) {
                    dTable[d + j] += dOut[s + j];
                }
            }
        });
    }

    // ---------------------------------------------------------------- recurrent cells

    /** Logistic function through the exp intrinsic (Math.exp); saturates cleanly to 0 and 1. */
    static float sigmoid(float x) {
        return 1f / (1f + (float) Math.exp(-x));
    }

    /** tanh through the exp intrinsic (Math.tanh is not one); saturates cleanly to -1 and 1. */
    static float tanh(float x) {
        return 1f - 2f / ((float) Math.exp(2f * x) + 1f);
    }

    static void lstmCell(float[] gates, float[] cPrev, float[] c, float[] h, int batch, int hidden) {
        boolean vector = VectorSupport.available();
        Parallel.forRange(batch, 40L * hidden, (from, to) -> {
            for (int b = from; b < to; b++) {
                if (vector) {
                    VectorSequenceKernels.lstmRow(gates, cPrev, c, h, b * 4 * hidden, b * hidden, hidden);
                } else {
                    lstmRowScalar(gates, cPrev, c, h, b * 4 * hidden, b * hidden, hidden, 0);
                }
            }
        });
    }

    /** Columns [jFrom, hidden) of one batch row of {@link #lstmCell}: gates at g, states at s. */
    static void lstmRowScalar(float[] gates, float[] cPrev, float[] c, float[] h, int g, int s, int hidden, int jFrom) {
        for (int j = jFrom; j < hidden; j++) {
            float i = sigmoid(gates[g + j]);
            float f = sigmoid(gates[g + hidden + j]);
            float gg = tanh(gates[g + 2 * hidden + j]);
            float o = sigmoid(gates[g + 3 * hidden + j]);
            gates[g + j] = i;
            gates[g + hidden + j] = f;
            gates[g + 2 * hidden + j] = gg;
            gates[g + 3 * hidden + j] = o;
            float cv = f * cPrev[s + j] + i * gg;
            c[s + j] = cv;
            h[s + j] = o * tanh(cv);
        }
    }

    static void lstmCellBackward(float[] gates, float[] cPrev, float[] c, float[] dh, float[] dc,
                                 float[] dGates, float[] dcPrev, int batch, int hidden) {
        boolean vector = VectorSupport.available();
        Parallel.forRange(batch, 20L * hidden, (from, to) -> {
            for (int b = from; b < to; b++) {
                if (vector) {
                    VectorSequenceKernels.lstmBackwardRow(gates, cPrev, c, dh, dc, dGates, dcPrev,
                            b * 4 * hidden, b * hidden, hidden);
                } else {
                    lstmBackwardRowScalar(gates, cPrev, c, dh, dc, dGates, dcPrev, b * 4 * hidden, b * hidden, hidden, 0);
                }
            }
        });
    }

    static void lstmBackwardRowScalar(float[] gates, float[] cPrev, float[] c, float[] dh, float[] dc,
                                      float[] dGates, float[] dcPrev, int g, int s, int hidden, int jFrom) {
        for (int j = jFrom; j < hidden; j++) {
            float i = gates[g + j];
            float f = gates[g + hidden + j];
            float gg = gates[g + 2 * hidden + j];
            float o = gates[g + 3 * hidden + j];
            float tc = tanh(c[s + j]);
            float dhv = dh[s + j];
            float dct = (dc == null ? 0f : dc[s + j]) + dhv * o * (1f - tc * tc);
            dGates[g + j] = dct * gg * i * (1f - i);
            dGates[g + hidden + j] = dct * cPrev[s + j] * f * (1f - f);
            dGates[g + 2 * hidden + j] = dct * i * (1f - gg * gg);
            dGates[g + 3 * hidden + j] = dhv * tc * o * (1f - o);
            dcPrev[s + j] = dct * f;
        }
    }

    static void gruCell(float[] xg, float[] hg, float[] hPrev, float[] h, float[] saved, int batch, int hidden) {
        boolean vector = VectorSupport.available();
        Parallel.forRange(batch, 30L * hidden, (from, to) -> {
            for (int b = from; b < to; b++) {
                if (vector) {
                    VectorSequenceKernels.gruRow(xg, hg, hPrev, h, saved, b * 3 * hidden, b * hidden, hidden);
                } else {
                    gruRowScalar(xg, hg, hPrev, h, saved, b * 3 * hidden, b * hidden, hidden, 0);
                }
            }
        });
    }

    static void gruRowScalar(float[] xg, float[] hg, float[] hPrev, float[] h, float[] saved, int g, int s, int hidden,
                             int jFrom) {
        for (int j = jFrom; j < hidden; j++) {
            float r = sigmoid(xg[g + j] + hg[g + j]);
            float z = sigmoid(xg[g + hidden + j] + hg[g + hidden + j]);
            float nv = tanh(xg[g + 2 * hidden + j] + r * hg[g + 2 * hidden + j]);
            saved[g + j] = r;
            saved[g + hidden + j] = z;
            saved[g + 2 * hidden + j] = nv;
            h[s + j] = (1f - z) * nv + z * hPrev[s + j];
        }
    }

    static void gruCellBackward(float[] saved, float[] hg, float[] hPrev, float[] dh,
                                float[] dxg, float[] dhg, float[] dhPrev, int batch, int hidden) {
        Parallel.forRange(batch, 20L * hidden, (from, to) -> {
            for (int b = from; b < to; b++) {
                int g = b * 3 * hidden;
                int s = b * hidden;
                for (int j = 0; j < hidden; j++) {
                    float r = saved[g + j];
                    float z = saved[g + hidden + j];
                    float nv = saved[g + 2 * hidden + j];
                    float dhv = dh[s + j];
                    float dnPre = dhv * (1f - z) * (1f - nv * nv);
                    float drPre = dnPre * hg[g + 2 * hidden + j] * r * (1f - r);
                    float dzPre = dhv * (hPrev[s + j] - nv) * z * (1f - z);
                    dxg[g + j] = drPre;
                    dxg[g + hidden + j] = dzPre;
                    dxg[g + 2 * hidden + j] = dnPre;
                    dhg[g + j] = drPre;
                    dhg[g + hidden + j] = dzPre;
                    dhg[g + 2 * hidden + j] = dnPre * r;
                    dhPrev[s + j] = dhv * z;
                }
            }
        });
    }
}
