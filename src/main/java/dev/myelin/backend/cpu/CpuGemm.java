package dev.myelin.backend.cpu;

/** Chooses the GEMM implementation: the Vector API kernel when the JVM has it, else the plain one. */
final class CpuGemm {
    private CpuGemm() {
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, float[] a, float[] b, float beta, float[] c) {
        if (VectorSupport.available()) {
            // VectorSgemm is resolved only on this branch, so a JVM without the incubator module
            // never loads it (and never sees its FloatVector references).
            VectorSgemm.sgemm(transA, transB, m, n, k, alpha, a, b, beta, c);
        } else {
            Sgemm.sgemm(transA, transB, m, n, k, alpha, a, b, beta, c);
        }
    }
}
