package dev.myelin.backend.cuda;

import dev.myelin.backend.BackendException;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasStatus;
import jcuda.runtime.cudaStream_t;

import java.util.Locale;

import static jcuda.jcublas.cublasOperation.CUBLAS_OP_N;
import static jcuda.jcublas.cublasOperation.CUBLAS_OP_T;

/**
 * SGEMM through cuBLAS (JCublas2) on the backend's stream. JCublas 12.6 links libcublas.so.12, which a
 * machine with only CUDA 13 libraries lacks: {@link #loadFailure()} says so once, and the backend uses
 * its own tiled kernel instead.
 *
 * <p>cuBLAS is column-major and Myelin row-major. A row-major [r, c] matrix is the column-major
 * [c, r] matrix of its transpose, so C = op(A) op(B) in row-major is C^T = op(B)^T op(A)^T in
 * column-major: cuBLAS is called with the operands swapped (B first), m and n swapped, and each
 * operand's own transpose flag; the leading dimensions are the stored row lengths.
 *
 * <p>TF32 tensor-core math (about 10 mantissa bits in the products) is opt-in:
 * {@code -Dmyelin.cuda.tf32=true} or {@code MYELIN_CUDA_TF32=1}; the default is full FP32, which the
 * conformance tolerances assume.
 */
final class CublasGemm implements AutoCloseable {
    private static boolean attempted;
    private static String loadFailure;

    private final cublasHandle handle;
    private final boolean tf32;

    private CublasGemm(cublasHandle handle, boolean tf32) {
        this.handle = handle;
        this.tf32 = tf32;
    }

    /** Null when JCublas2 and libcublas.so.12 load, else the one-line reason. Cached; never throws. */
    static synchronized String loadFailure() {
        if (!attempted) {
            attempted = true;
            try {
                JCublas2.setExceptionsEnabled(false);
            } catch (LinkageError e) {
                String missing = CudaErrors.missingLibrary(e);
                loadFailure = missing != null ? missing + " not loadable: not found" : "JCublas2 not loadable: " + CudaErrors.firstLine(e);
            } catch (Throwable t) {
                loadFailure = "JCublas2 not loadable: " + t.getClass().getSimpleName() + ": " + CudaErrors.firstLine(t);
            }
        }
        return loadFailure;
    }

    static boolean tf32Requested() {
        String env = System.getenv("MYELIN_CUDA_TF32");
        return Boolean.getBoolean("myelin.cuda.tf32")
                || (env != null && (env.equals("1") || env.toLowerCase(Locale.ROOT).equals("true")));
    }

    /** A handle bound to {@code stream} in the current context. */
    static CublasGemm create(CUstream stream, boolean tf32) {
        String failure = loadFailure();
        if (failure != null) {
            throw new BackendException("cuda: cuBLAS unavailable: " + failure);
        }
        cublasHandle handle = new cublasHandle();
        check(JCublas2.cublasCreate(handle), "cublasCreate");
        try {
            check(JCublas2.cublasSetStream(handle, new cudaStream_t(stream)), "cublasSetStream");
            check(JCublas2.cublasSetMathMode(handle, tf32 ? cublasMath.CUBLAS_TF32_TENSOR_OP_MATH : cublasMath.CUBLAS_DEFAULT_MATH),
                    "cublasSetMathMode");
        } catch (BackendException e) {
            JCublas2.cublasDestroy(handle);
            throw e;
        }
        return new CublasGemm(handle, tf32);
    }

    private static void check(int status, String what) {
        if (status != cublasStatus.CUBLAS_STATUS_SUCCESS) {
            throw new BackendException("cuda: " + what + " failed: " + cublasStatus.stringFor(status));
        }
    }

    /**
     * The column-major cublasSgemm call that computes a row-major product: operands swapped (the
     * first is B, the second A), dimensions (n, m, k), leading dimensions the stored row lengths.
     * A pure function so that a test checks it against a reference column-major SGEMM without a GPU.
     */
    record ColumnMajorCall(int opFirst, int opSecond, int m, int n, int k, int ldFirst, int ldSecond, int ldc) {
        static ColumnMajorCall forRowMajor(boolean transA, boolean transB, int m, int n, int k) {
            return new ColumnMajorCall(transB ? CUBLAS_OP_T : CUBLAS_OP_N, transA ? CUBLAS_OP_T : CUBLAS_OP_N,
                    n, m, k, transB ? k : n, transA ? m : k, n);
        }
    }

    /**
     * The batched call's strides: the operands are swapped as in {@link ColumnMajorCall}, and their
     * batch strides with them (the first operand, B, walks by strideB).
     */
    record StridedCall(ColumnMajorCall call, long strideFirst, long strideSecond, long strideC) {
        static StridedCall forRowMajor(boolean transA, boolean transB, int m, int n, int k,
                                       int strideA, int strideB, int strideC) {
            return new StridedCall(ColumnMajorCall.forRowMajor(transA, transB, m, n, k), strideB, strideA, strideC);
        }
    }

    /** Row-major C = alpha op(A) op(B) + beta C; cuBLAS does not read C when beta == 0. k must be > 0. */
    void sgemm(boolean transA, boolean transB, int m, int n, int k,
               float alpha, CUdeviceptr a, CUdeviceptr b, float beta, CUdeviceptr c) {
        ColumnMajorCall call = ColumnMajorCall.forRowMajor(transA, transB, m, n, k);
        check(JCublas2.cublasSgemm(handle, call.opFirst(), call.opSecond(), call.m(), call.n(), call.k(),
                        Pointer.to(new float[]{alpha}),
                        b, call.ldFirst(),
                        a, call.ldSecond(),
                        Pointer.to(new float[]{beta}),
                        c, call.ldc()),
                "cublasSgemm(" + m + "x" + n + "x" + k + ")");
    }

    /**
     * {@link #sgemm} over a batch: matrix i of each operand starts i * stride elements after its
     * pointer (0 shares it). The operand swap swaps the strides with the pointers ({@link StridedCall}).
     */
    void sgemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             CUdeviceptr a, int strideA, CUdeviceptr b, int strideB, float beta,
                             CUdeviceptr c, int strideC, int batch) {
        StridedCall strided = StridedCall.forRowMajor(transA, transB, m, n, k, strideA, strideB, strideC);
        ColumnMajorCall call = strided.call();
        check(JCublas2.cublasSgemmStridedBatched(handle, call.opFirst(), call.opSecond(), call.m(), call.n(), call.k(),
                        Pointer.to(new float[]{alpha}),
                        b, call.ldFirst(), strided.strideFirst(),
                        a, call.ldSecond(), strided.strideSecond(),
                        Pointer.to(new float[]{beta}),
                        c, call.ldc(), strided.strideC(), batch),
                "cublasSgemmStridedBatched(" + batch + " x " + m + "x" + n + "x" + k + ")");
    }

    String description() {
        return tf32 ? "cuBLAS 12, TF32 tensor cores" : "cuBLAS 12";
    }

    @Override
    public void close() {
        JCublas2.cublasDestroy(handle);
    }
}
