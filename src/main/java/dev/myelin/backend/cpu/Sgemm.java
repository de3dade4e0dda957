package dev.myelin.backend.cpu;

/**
 * Single-precision GEMM on Java arrays, row-major: C = alpha * op(A) * op(B) + beta * C.
 * This is the plain, parallel-over-rows version; it is the fallback when the Vector API is off.
 */
final class Sgemm {
    private Sgemm() {
    }

    static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, float[] b, float beta, float[] c) {
        sgemm(transA, transB, m, n, k, alpha, a, 0, b, 0, beta, c, 0);
    }

    /** The product of matrices stored contiguously from offsets aOff, bOff and cOff of their arrays. */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
        Parallel.forRange(m, (long) n * k, (from, to) -> {
            float[] row = new float[n];
            for (int i = from; i < to; i++) {
                java.util.Arrays.fill(row, 0f);
                for (int p = 0; p < k; p++) {
                    float aip = transA ? a[aOff + p * m + i] : a[aOff + i * k + p];
                    if (aip == 0f) {
                        continue;
                    }
                    if (!transB) {
                        int bRow = bOff + p * n;
                        for (int j = 0; j < n; j++) {
                            row[j] += aip * b[bRow + j];
                        }
                    } else {
                        for (int j = 0; j < n; j++) {
                            row[j] += aip * b[bOff + j * k + p];
                        }
                    }
                }
                int cRow = cOff + i * n;
                if (beta == 0f) {
                    for (int j = 0; j < n; j++) {
                        c[cRow + j] = alpha * row[j];
                    }
                } else {
                    for (int j = 0; j < n; j++) {
                        c[cRow + j] = alpha * row[j] + beta * c[cRow + j];
                    }
                }
            }
        });
    }
}
