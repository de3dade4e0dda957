package dev.myelin.backend.cpu;

/** Chooses the GEMM implementation: the Vector API kernel when the JVM has it, else the plain one. */
final class CpuGemm {
    private CpuGemm() {
    }

    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, float[] a, float[] b, float beta, float[] c) {
        gemm(transA, transB, m, n, k, alpha, a, 0, b, 0, beta, c, 0);
    }

    /** The product of matrices stored contiguously from offsets aOff, bOff and cOff of their arrays. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
        if (VectorSupport.available()) {
            // VectorSgemm is resolved only on this branch, so a JVM without the incubator module
            // never loads it (and never sees its FloatVector references).
            VectorSgemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
        } else {
            Sgemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, b, bOff, beta, c, cOff);
        }
    }
}
