package dev.myelin.backend.cuda;

import dev.myelin.backend.Activation;
import dev.myelin.backend.Backend;
import dev.myelin.backend.BackendException;
import dev.myelin.backend.BackendKind;
import dev.myelin.backend.BinaryOp;
import dev.myelin.backend.Broadcast;
import dev.myelin.backend.Buffer;
import dev.myelin.backend.BufferRange;
import dev.myelin.backend.Conv2dGeometry;
import dev.myelin.backend.DeviceInfo;
import dev.myelin.backend.MemoryStats;
import dev.myelin.backend.Pool2dGeometry;
import dev.myelin.backend.ReduceOp;
import dev.myelin.backend.UnaryOp;
import dev.myelin.backend.opencl.KernelCodes;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;

import java.nio.FloatBuffer;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

/**
 * The CUDA backend on JCuda's driver API: the device's primary context (shared with cuBLAS, which
 * uses the runtime API) and one stream. Ops enqueue on the stream and return; only {@link #download}
 * and {@link #synchronize} wait. Kernels come from the packaged module (kernels/*.cl compiled by nvcc
 * through kernels/cuda_preamble.h, plus kernels/gemm_tiled.cu), launched with the dimensions the
 * OpenCL backend uses for the same sources ({@link LaunchDims}).
 *
 * <p>Not thread-safe, like every backend: one thread drives it at a time. The context is made current
 * on whichever thread calls, so a backend opened on one thread may be driven from another.
 */
public final class CudaBackend implements Backend {
    private final CudaDevice device;
    private final CUcontext context;
    private final CUstream stream;
    private final CudaModule module;
    private final CudaAllocator<CUdeviceptr> allocator;
    private final PinnedStaging<PinnedHostMemory.Block> uploads;
    private final PinnedHostMemory pinned = new PinnedHostMemory();
    /** cuBLAS when libcublas.so.12 loads, else null and {@link #gemmNote} says why. */
    private final CublasGemm cublas;
    private final String gemmNote;
    private final CudaSequenceOps sequence;
    private final CudaConvOps conv = new CudaConvOps(this);
    private final CudaOptimizerOps optimizer = new CudaOptimizerOps(this);
    /** Reused for downloads (at most one staging chunk), grown on demand. */
    private PinnedHostMemory.Block downloadStaging;
    private Thread boundThread;
    private boolean closed;

    CudaBackend(CudaDevice device) {
        this.device = device;
        CUcontext ctx = new CUcontext();
        CudaErrors.check(cuDevicePrimaryCtxRetain(ctx, device.device()), "cuDevicePrimaryCtxRetain(" + device.name() + ")");
        this.context = ctx;
        CUstream s = new CUstream();
        boolean streamCreated = false;
        CudaModule m;
        try {
            CudaErrors.check(cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
            boundThread = Thread.currentThread();
            // A non-blocking stream: no implicit waits on the legacy default stream, which others may use.
            CudaErrors.check(cuStreamCreate(s, CUstream_flags.CU_STREAM_NON_BLOCKING), "cuStreamCreate");
            streamCreated = true;
            m = CudaModule.load(device);
        } catch (RuntimeException e) {
            if (streamCreated) {
                cuStreamDestroy(s);
            }
            cuDevicePrimaryCtxRelease(device.device());
            throw e;
        }
        this.stream = s;
        this.module = m;
        this.allocator = new CudaAllocator<>(new DriverMemory(device, s));
        this.uploads = new PinnedStaging<>(pinned);
        CublasGemm blas = null;
        String note;
        String loadFailure = CublasGemm.loadFailure();
        if (loadFailure != null) {
            note = "own tiled GEMM (" + loadFailure + ")";
        } else {
            try {
                blas = CublasGemm.create(s, CublasGemm.tf32Requested());
                note = blas.description();
            } catch (BackendException e) {
                note = "own tiled GEMM (" + e.getMessage().replaceFirst("^cuda: ", "") + ")";
            }
        }
        this.cublas = blas;
        this.gemmNote = note;
        this.sequence = new CudaSequenceOps(this, blas, device.smCount());
    }

    @Override
    public BackendKind kind() {
        return BackendKind.CUDA;
    }

    @Override
    public DeviceInfo device() {
        return device.info();
    }

    @Override
    public String description() {
        return "cuda: " + device.name() + " (" + device.arch() + ", " + device.smCount() + " SMs, driver for CUDA "
                + CudaErrors.cudaVersion(device.driverVersion()) + ", kernels: " + module.origin() + ", GEMM: " + gemmNote + ")";
    }

    /** Which GEMM runs: "cuBLAS 12" or "own tiled GEMM (why)". */
    public String gemmImplementation() {
        return gemmNote;
    }

    // ---------------------------------------------------------------- context and buffers

    /** Makes the context current on the calling thread (a no-op on the thread that used it last). */
    void bind() {
        if (closed) {
            throw new IllegalStateException("CUDA backend is closed");
        }
        Thread current = Thread.currentThread();
        if (current != boundThread) {
            CudaErrors.check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
            boundThread = current;
        }
    }

    private CudaBuffer<CUdeviceptr> buf(Buffer buffer) {
        if (!(buffer instanceof CudaBuffer<?> b) || b.owner != allocator) {
            throw new IllegalArgumentException("not a buffer of this CUDA backend: " + buffer
                    + " (buffers belong to the backend that allocated them)");
        }
        if (b.released) {
            throw new IllegalStateException("use of a released buffer of " + b.length() + " floats");
        }
        @SuppressWarnings("unchecked")
        CudaBuffer<CUdeviceptr> typed = (CudaBuffer<CUdeviceptr>) b;
        return typed;
    }

    CUdeviceptr ptr(Buffer buffer) {
        return buf(buffer).block;
    }

    private CUdeviceptr ptr(Buffer buffer, int offset) {
        CUdeviceptr base = ptr(buffer);
        return offset == 0 ? base : base.withByteOffset(4L * offset);
    }

    // ---------------------------------------------------------------- memory

    @Override
    public Buffer allocate(int length) {
        bind();
        return allocator.allocate(length);
    }

    @Override
    public void release(Buffer buffer) {
        if (!(buffer instanceof CudaBuffer<?> b) || b.owner != allocator) {
            throw new IllegalArgumentException("not a buffer of this CUDA backend: " + buffer);
        }
        @SuppressWarnings("unchecked")
        CudaBuffer<CUdeviceptr> typed = (CudaBuffer<CUdeviceptr>) b;
        allocator.release(typed);
    }

    @Override
    public MemoryStats memoryStats() {
        return allocator.stats();
    }

    @Override
    public void emptyCache() {
        bind();
        allocator.emptyCache();
    }

    @Override
    public void upload(float[] src, int srcOffset, Buffer dst, int dstOffset, int length) {
        BufferRange.check(dst, dstOffset, length, "upload");
        if (srcOffset < 0 || (long) srcOffset + length > src.length) {
            throw new IndexOutOfBoundsException("upload: source range [" + srcOffset + ", " + ((long) srcOffset + length)
                    + ") outside an array of " + src.length);
        }
        if (length == 0) {
            return;
        }
        bind();
        CUdeviceptr target = ptr(dst);
        int chunkFloats = (int) (PinnedStaging.CHUNK_BYTES / 4);
        for (int done = 0; done < length; done += chunkFloats) {
            int n = Math.min(chunkFloats, length - done);
            // Staged through pinned memory so the copy is truly asynchronous; the block stays in flight
            // until the stream has drained (synchronize/download).
            PinnedStaging.Block<PinnedHostMemory.Block> staging = uploads.take(4L * n);
            FloatBuffer view = staging.block().bytes().asFloatBuffer();
            view.put(src, srcOffset + done, n);
            CudaErrors.check(cuMemcpyHtoDAsync(target.withByteOffset(4L * (dstOffset + done)), staging.block().pointer(),
                    4L * n, stream), "cuMemcpyHtoDAsync(" + n + " floats)");
            if (uploads.overLimit()) {
                synchronize();
            }
        }
    }

    @Override
    public void download(Buffer src, int srcOffset, float[] dst, int dstOffset, int length) {
        BufferRange.check(src, srcOffset, length, "download");
        if (dstOffset < 0 || (long) dstOffset + length > dst.length) {
            throw new IndexOutOfBoundsException("download: destination range [" + dstOffset + ", "
                    + ((long) dstOffset + length) + ") outside an array of " + dst.length);
        }
        if (length == 0) {
            return;
        }
        bind();
        CUdeviceptr source = ptr(src);
        int chunkFloats = (int) (PinnedStaging.CHUNK_BYTES / 4);
        long stagingBytes = 4L * Math.min(length, chunkFloats);
        if (downloadStaging == null || downloadStaging.bytes().capacity() < stagingBytes) {
            if (downloadStaging != null) {
                pinned.free(downloadStaging);
                downloadStaging = null;
            }
            downloadStaging = pinned.allocate(Math.max(stagingBytes, 64L << 10));
        }
        for (int done = 0; done < length; done += chunkFloats) {
            int n = Math.min(chunkFloats, length - done);
            // Enqueued after every earlier op on the stream, so the wait covers whatever wrote src.
            CudaErrors.check(cuMemcpyDtoHAsync(downloadStaging.pointer(), source.withByteOffset(4L * (srcOffset + done)),
                    4L * n, stream), "cuMemcpyDtoHAsync(" + n + " floats)");
            CudaErrors.checkSync(cuStreamSynchronize(stream), "download (cuStreamSynchronize)");
            uploads.streamDrained();
            downloadStaging.bytes().asFloatBuffer().get(dst, dstOffset + done, n);
        }
    }

    @Override
    public void copy(Buffer src, int srcOffset, Buffer dst, int dstOffset, int length) {
        BufferRange.check(src, srcOffset, length, "copy source");
        BufferRange.check(dst, dstOffset, length, "copy destination");
        if (length == 0) {
            return;
        }
        bind();
        CudaErrors.check(cuMemcpyDtoDAsync(ptr(dst, dstOffset), ptr(src, srcOffset), 4L * length, stream),
                "cuMemcpyDtoDAsync(" + length + " floats)");
    }

    @Override
    public void fill(Buffer dst, int offset, int length, float value) {
        BufferRange.check(dst, offset, length, "fill");
        if (length == 0) {
            return;
        }
        bind();
        // A 32-bit memset writes the float's bit pattern: no kernel needed.
        CudaErrors.check(cuMemsetD32Async(ptr(dst, offset), Float.floatToRawIntBits(value), length, stream),
                "cuMemsetD32Async(" + length + " floats)");
    }

    @Override
    public void synchronize() {
        bind();
        CudaErrors.checkSync(cuStreamSynchronize(stream), "cuStreamSynchronize");
        uploads.streamDrained();
    }

    // ---------------------------------------------------------------- launching

    /** A launch to put together (see {@link CudaArgs}). */
    CudaArgs args() {
        if (closed) {
            throw new IllegalStateException("CUDA backend is closed");
        }
        return new CudaArgs(this, module, stream);
    }

    // ---------------------------------------------------------------- linear algebra

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Buffer a, Buffer b, float beta, Buffer c) {
        if (m == 0 || n == 0) {
            return;
        }
        // k == 0 goes to our kernel, whose C = beta * C then matches the CPU reference exactly.
        if (cublas != null && k > 0) {
            bind();
            cublas.sgemm(transA, transB, m, n, k, alpha, ptr(a), ptr(b), beta, ptr(c));
            return;
        }
        LaunchDims.Gemm launch = LaunchDims.gemm(transA, transB, m, n, device.smCount());
        args().i(m).i(n).i(k).f(alpha).p(a).p(b).f(beta).p(c).launch(launch.kernel(), launch.config());
    }

    // ---------------------------------------------------------------- element-wise

    @Override
    public void unary(UnaryOp op, Buffer x, Buffer y, int n) {
        if (n == 0) {
            return;
        }
        args().i(KernelCodes.of(op)).p(x).p(y).i(n).launch(CudaKernel.UNARY_OP, LaunchDims.elementwise(n));
    }

    @Override
    public void binary(BinaryOp op, Buffer a, Buffer b, Buffer out, int rows, int cols, Broadcast broadcast) {
        if (rows == 0 || cols == 0) {
            return;
        }
        args().i(KernelCodes.of(op)).p(a).p(b).p(out).i(rows).i(cols).i(KernelCodes.of(broadcast))
                .launch(CudaKernel.BINARY_OP, LaunchDims.elementwise((long) rows * cols));
    }

    @Override
    public void axpby(float alpha, Buffer x, float beta, Buffer y, int n) {
        if (n == 0) {
            return;
        }
        args().f(alpha).p(x).f(beta).p(y).i(n).launch(CudaKernel.AXPBY, LaunchDims.elementwise(n));
    }

    @Override
    public void biasActivation(Buffer x, Buffer bias, Activation act, Buffer y, int rows, int cols) {
        if (rows == 0 || cols == 0) {
            return;
        }
        // Without a bias the kernel never reads that argument; x stands in so no null pointer is passed.
        args().p(x).p(bias == null ? x : bias).i(bias == null ? 0 : 1).i(KernelCodes.of(act)).p(y).i(rows).i(cols)
                .launch(CudaKernel.BIAS_ACTIVATION, LaunchDims.elementwise((long) rows * cols));
    }

    @Override
    public void activationBackward(Activation act, Buffer y, Buffer dy, Buffer dx, int n) {
        if (n == 0) {
            return;
        }
        args().i(KernelCodes.of(act)).p(y).p(dy).p(dx).i(n).launch(CudaKernel.ACTIVATION_BACKWARD, LaunchDims.elementwise(n));
    }

    // ---------------------------------------------------------------- reductions

    @Override
    public void reduce(ReduceOp op, Buffer x, Buffer out, int rows, int cols, int axis) {
        if (axis != 0 && axis != 1) {
            throw new IllegalArgumentException("reduce axis must be 0 or 1, got " + axis);
        }
        if (axis == 0 ? cols == 0 : rows == 0) {
            return;
        }
        CudaArgs args = args().i(KernelCodes.of(op)).p(x).p(out).i(rows).i(cols);
        if (axis == 0) {
            args.launch(CudaKernel.REDUCE_COLS, LaunchDims.elementwise(cols));
        } else {
            args.launch(CudaKernel.REDUCE_ROWS, LaunchDims.rows(rows, cols));
        }
    }

    @Override
    public void argmaxRows(Buffer x, Buffer out, int rows, int cols) {
        if (rows == 0) {
            return;
        }
        args().p(x).p(out).i(rows).i(cols).launch(CudaKernel.ARGMAX_ROWS, LaunchDims.rows(rows, cols));
    }

    // ---------------------------------------------------------------- softmax and losses

    @Override
    public void softmax(Buffer x, Buffer y, int rows, int cols) {
        if (rows == 0 || cols == 0) {
            return;
        }
        args().p(x).p(y).i(rows).i(cols).launch(CudaKernel.SOFTMAX_ROWS, LaunchDims.rows(rows, cols));
    }

    /** {@inheritDoc} A label that is not a class index gives a NaN loss here (a kernel cannot throw). */
    @Override
    public void softmaxCrossEntropy(Buffer logits, Buffer labels, Buffer probs, Buffer losses, int rows, int cols) {
        if (rows == 0 || cols == 0) {
            return;
        }
        args().p(logits).p(labels).p(probs).p(losses).i(rows).i(cols)
                .launch(CudaKernel.SOFTMAX_XENT, LaunchDims.rows(rows, cols));
    }

    @Override
    public void softmaxCrossEntropyBackward(Buffer probs, Buffer labels, Buffer dlogits, int rows, int cols, float scale) {
        if (rows == 0 || cols == 0) {
            return;
        }
        args().p(probs).p(labels).p(dlogits).i(rows).i(cols).f(scale)
                .launch(CudaKernel.SOFTMAX_XENT_BACKWARD, LaunchDims.elementwise((long) rows * cols));
    }

    // ---------------------------------------------------------------- convolution, pooling, dropout, batch norm (CudaConvOps)

    @Override
    public void conv2d(Conv2dGeometry g, Buffer x, Buffer weight, Buffer bias, Activation act, Buffer y) {
        conv.conv2d(g, x, weight, bias, act, y);
    }

    @Override
    public void conv2dBackward(Conv2dGeometry g, Buffer x, Buffer weight, Buffer dy,
                               Buffer dx, Buffer dweight, Buffer dbias) {
        conv.conv2dBackward(g, x, weight, dy, dx, dweight, dbias);
    }

    @Override
    public void maxPool2d(Pool2dGeometry g, Buffer x, Buffer y, Buffer indices) {
        conv.maxPool2d(g, x, y, indices);
    }

    @Override
    public void maxPool2dBackward(Pool2dGeometry g, Buffer dy, Buffer indices, Buffer dx) {
        conv.maxPool2dBackward(g, dy, indices, dx);
    }

    @Override
    public void avgPool2d(Pool2dGeometry g, Buffer x, Buffer y) {
        conv.avgPool2d(g, x, y);
    }

    @Override
    public void avgPool2dBackward(Pool2dGeometry g, Buffer dy, Buffer dx) {
        conv.avgPool2dBackward(g, dy, dx);
    }

    @Override
    public void dropout(Buffer x, Buffer y, Buffer mask, int n, float p, float scale, long seed) {
        conv.dropout(x, y, mask, n, p, scale, seed);
    }

    @Override
    public void batchNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer saveMean, Buffer saveInvStd,
                          Buffer runningMean, Buffer runningVar, int batch, int channels, int spatial,
                          boolean training, float momentum, float eps) {
        conv.batchNorm(x, gamma, beta, y, saveMean, saveInvStd, runningMean, runningVar, batch, channels, spatial,
                training, momentum, eps);
    }

    @Override
    public void batchNormBackward(Buffer x, Buffer dy, Buffer gamma, Buffer saveMean, Buffer saveInvStd,
                                  Buffer dx, Buffer dgamma, Buffer dbeta, int batch, int channels, int spatial) {
        conv.batchNormBackward(x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta, batch, channels, spatial);
    }

    // ---------------------------------------------------------------- optimizer updates (CudaOptimizerOps)

    @Override
    public void sgdUpdate(Buffer param, Buffer grad, Buffer velocity, int n,
                          float lr, float momentum, float weightDecay, boolean nesterov) {
        optimizer.sgdUpdate(param, grad, velocity, n, lr, momentum, weightDecay, nesterov);
    }

    @Override
    public void adamUpdate(Buffer param, Buffer grad, Buffer m, Buffer v, int n,
                           float lr, float beta1, float beta2, float eps, float weightDecay,
                           boolean decoupledWeightDecay, int step) {
        optimizer.adamUpdate(param, grad, m, v, n, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, step);
    }

    @Override
    public void adadeltaUpdate(Buffer param, Buffer grad, Buffer squareAvg, Buffer accDelta, int n,
                               float lr, float rho, float eps, float weightDecay) {
        optimizer.adadeltaUpdate(param, grad, squareAvg, accDelta, n, lr, rho, eps, weightDecay);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            bind();
            cuStreamSynchronize(stream);
            uploads.close();
            if (downloadStaging != null) {
                pinned.free(downloadStaging);
                downloadStaging = null;
            }
            allocator.emptyCache();
            if (cublas != null) {
                cublas.close();
            }
            module.close();
            cuStreamDestroy(stream);
        } finally {
            closed = true;
            cuDevicePrimaryCtxRelease(device.device());
        }
    }

    // ---------------------------------------------------------------- sequence models (CudaSequenceOps)

    @Override
    public void gemmBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            Buffer a, int strideA, Buffer b, int strideB, float beta, Buffer c, int strideC, int batch) {
        sequence.gemmBatched(transA, transB, m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC, batch);
    }

    @Override
    public void copyStrided(Buffer src, int srcOffset, int srcBatchStride, int srcRowStride,
                            Buffer dst, int dstOffset, int dstBatchStride, int dstRowStride,
                            int batches, int rows, int cols, boolean accumulate) {
        sequence.copyStrided(src, srcOffset, srcBatchStride, srcRowStride, dst, dstOffset, dstBatchStride, dstRowStride,
                batches, rows, cols, accumulate);
    }

    @Override
    public void causalSoftmax(Buffer x, Buffer y, int rows, int cols, float scale) {
        sequence.causalSoftmax(x, y, rows, cols, scale);
    }

    @Override
    public void softmaxBackward(Buffer y, Buffer dy, Buffer dx, int rows, int cols, float scale) {
        sequence.softmaxBackward(y, dy, dx, rows, cols, scale);
    }

    @Override
    public void layerNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer saveMean, Buffer saveInvStd,
                          int rows, int cols, float eps) {
        sequence.layerNorm(x, gamma, beta, y, saveMean, saveInvStd, rows, cols, eps);
    }

    @Override
    public void layerNormBackward(Buffer x, Buffer dy, Buffer gamma, Buffer saveMean, Buffer saveInvStd,
                                  Buffer dx, Buffer dgamma, Buffer dbeta, int rows, int cols) {
        sequence.layerNormBackward(x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta, rows, cols);
    }

    @Override
    public void embedding(Buffer table, Buffer ids, Buffer out, int n, int dim) {
        sequence.embedding(table, ids, out, n, dim);
    }

    @Override
    public void embeddingBackward(Buffer dOut, Buffer ids, Buffer dTable, int n, int dim, int vocab) {
        sequence.embeddingBackward(dOut, ids, dTable, n, dim, vocab);
    }

    @Override
    public void unaryBackward(UnaryOp op, Buffer x, Buffer dy, Buffer dx, int n) {
        sequence.unaryBackward(op, x, dy, dx, n);
    }

    @Override
    public void lstmCell(Buffer gates, Buffer cPrev, Buffer c, Buffer h, int batch, int hidden) {
        sequence.lstmCell(gates, cPrev, c, h, batch, hidden);
    }

    @Override
    public void lstmCellBackward(Buffer gates, Buffer cPrev, Buffer c, Buffer dh, Buffer dc,
                                 Buffer dGates, Buffer dcPrev, int batch, int hidden) {
        sequence.lstmCellBackward(gates, cPrev, c, dh, dc, dGates, dcPrev, batch, hidden);
    }

    @Override
    public void gruCell(Buffer xg, Buffer hg, Buffer hPrev, Buffer h, Buffer saved, int batch, int hidden) {
        sequence.gruCell(xg, hg, hPrev, h, saved, batch, hidden);
    }

    @Override
    public void gruCellBackward(Buffer saved, Buffer hg, Buffer hPrev, Buffer dh,
                                Buffer dxg, Buffer dhg, Buffer dhPrev, int batch, int hidden) {
        sequence.gruCellBackward(saved, hg, hPrev, dh, dxg, dhg, dhPrev, batch, hidden);
    }
}
