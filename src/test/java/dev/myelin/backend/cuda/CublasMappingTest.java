package dev.myelin.backend.cuda;

import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.backend.Buffer;
import jcuda.jcublas.cublasOperation;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The row-major to column-major mapping of the cuBLAS call, checked without a GPU: a reference
 * column-major SGEMM with BLAS semantics (what cublasSgemm computes) is called exactly as
 * {@link CublasGemm} calls cuBLAS, and must give the CPU backend's row-major product.
 */
class CublasMappingTest {
    /** BLAS sgemm: C = alpha op(X) op(Y) + beta C, column-major, op(X) m x k, op(Y) k x n. */
    private static void referenceSgemm(int opX, int opY, int m, int n, int k, float alpha, float[] x, int ldx,
                                       float[] y, int ldy, float beta, float[] c, int ldc) {
        assertThat(ldx).isGreaterThanOrEqualTo(Math.max(1, opX == cublasOperation.CUBLAS_OP_N ? m : k));
        assertThat(ldy).isGreaterThanOrEqualTo(Math.max(1, opY == cublasOperation.CUBLAS_OP_N ? k : n));
        assertThat(ldc).isGreaterThanOrEqualTo(Math.max(1, m));
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    float xv = opX == cublasOperation.CUBLAS_OP_N ? x[i + p * ldx] : x[p + i * ldx];
                    float yv = opY == cublasOperation.CUBLAS_OP_N ? y[p + j * ldy] : y[j + p * ldy];
                    acc += xv * yv;
                }
                c[i + j * ldc] = (float) (alpha * acc + (beta == 0 ? 0 : beta * c[i + j * ldc]));
            }
        }
    }

    @Test
    void swappedColumnMajorCallGivesTheRowMajorProduct() {
        CpuBackend cpu = new CpuBackend();
        SplittableRandom random = new SplittableRandom(5);
        int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {17, 4, 9}, {8, 8, 1}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (boolean ta : new boolean[]{false, true}) {
                for (boolean tb : new boolean[]{false, true}) {
                    float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
                    for (int i = 0; i < a.length; i++) a[i] = (float) random.nextDouble(-1, 1);
                    for (int i = 0; i < b.length; i++) b[i] = (float) random.nextDouble(-1, 1);
                    for (int i = 0; i < c.length; i++) c[i] = (float) random.nextDouble(-1, 1);

                    Buffer ab = cpu.allocate(a.length), bb = cpu.allocate(b.length), cb = cpu.allocate(c.length);
                    cpu.upload(a, 0, ab, 0, a.length);
                    cpu.upload(b, 0, bb, 0, b.length);
                    cpu.upload(c, 0, cb, 0, c.length);
                    cpu.gemm(ta, tb, m, n, k, 1.5f, ab, bb, 0.5f, cb);
                    float[] want = new float[m * n];
                    cpu.download(cb, 0, want, 0, want.length);

                    CublasGemm.ColumnMajorCall call = CublasGemm.ColumnMajorCall.forRowMajor(ta, tb, m, n, k);
                    float[] got = c.clone();
                    referenceSgemm(call.opFirst(), call.opSecond(), call.m(), call.n(), call.k(), 1.5f,
                            b, call.ldFirst(), a, call.ldSecond(), 0.5f, got, call.ldc());
                    for (int i = 0; i < want.length; i++) {
                        assertThat(got[i]).as("m=%d n=%d k=%d transA=%s transB=%s [%d]", m, n, k, ta, tb, i)
                                .isCloseTo(want[i], within(1e-5f));
                    }
                }
            }
        }
    }

    /** The batched call: per matrix, the reference SGEMM at the swapped strides' offsets gives gemmBatched. */
    @Test
    void stridedBatchedCallGivesTheRowMajorBatchedProduct() {
        CpuBackend cpu = new CpuBackend();
        SplittableRandom random = new SplittableRandom(6);
        int m = 5, n = 3, k = 4, batch = 3;
        for (boolean shareA : new boolean[]{false, true}) {
            for (boolean ta : new boolean[]{false, true}) {
                for (boolean tb : new boolean[]{false, true}) {
                    int strideA = shareA ? 0 : m * k + 2, strideB = k * n + 1, strideC = m * n + 3;
                    float[] a = new float[strideA * (batch - 1) + m * k], b = new float[strideB * (batch - 1) + k * n];
                    float[] c = new float[strideC * batch];
                    for (int i = 0; i < a.length; i++) a[i] = (float) random.nextDouble(-1, 1);
                    for (int i = 0; i < b.length; i++) b[i] = (float) random.nextDouble(-1, 1);
                    for (int i = 0; i < c.length; i++) c[i] = (float) random.nextDouble(-1, 1);

                    Buffer ab = cpu.allocate(a.length), bb = cpu.allocate(b.length), cb = cpu.allocate(c.length);
                    cpu.upload(a, 0, ab, 0, a.length);
                    cpu.upload(b, 0, bb, 0, b.length);
                    cpu.upload(c, 0, cb, 0, c.length);
                    cpu.gemmBatched(ta, tb, m, n, k, 1.5f, ab, strideA, bb, strideB, 0.5f, cb, strideC, batch);
                    float[] want = new float[c.length];
                    cpu.download(cb, 0, want, 0, want.length);

                    CublasGemm.StridedCall strided = CublasGemm.StridedCall.forRowMajor(ta, tb, m, n, k, strideA, strideB, strideC);
                    CublasGemm.ColumnMajorCall call = strided.call();
                    float[] got = c.clone();
                    for (int z = 0; z < batch; z++) {
                        float[] first = java.util.Arrays.copyOfRange(b, (int) (z * strided.strideFirst()), b.length);
                        float[] second = java.util.Arrays.copyOfRange(a, (int) (z * strided.strideSecond()), a.length);
                        float[] out = java.util.Arrays.copyOfRange(got, (int) (z * strided.strideC()), got.length);
                        referenceSgemm(call.opFirst(), call.opSecond(), call.m(), call.n(), call.k(), 1.5f,
                                first, call.ldFirst(), second, call.ldSecond(), 0.5f, out, call.ldc());
                        System.arraycopy(out, 0, got, (int) (z * strided.strideC()), m * n);
                    }
                    for (int i = 0; i < want.length; i++) {
                        assertThat(got[i]).as("shareA=%s transA=%s transB=%s [%d]", shareA, ta, tb, i)
                                .isCloseTo(want[i], within(1e-5f));
                    }
                }
            }
        }
    }
}
