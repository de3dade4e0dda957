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
}
