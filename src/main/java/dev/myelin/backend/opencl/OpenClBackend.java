package dev.myelin.backend.opencl;

import dev.myelin.backend.Activation;
import dev.myelin.backend.Backend;
import dev.myelin.backend.BackendKind;
import dev.myelin.backend.BinaryOp;
import dev.myelin.backend.Conv2dGeometry;
import dev.myelin.backend.Pool2dGeometry;
import dev.myelin.backend.Broadcast;
import dev.myelin.backend.Buffer;
import dev.myelin.backend.BufferRange;
import dev.myelin.backend.DeviceInfo;
import dev.myelin.backend.MemoryStats;
import dev.myelin.backend.ReduceOp;
import dev.myelin.backend.UnaryOp;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.lwjgl.opencl.CL10.*;

/**
 * The OpenCL backend: one context and one in-order command queue on one device. Ops enqueue a kernel
 * and return; only {@link #download} and {@link #synchronize} wait (there is no clFinish in any op).
 *
 * <p>Not thread-safe, like every backend: one thread drives it. Kernel objects are cached and their
 * arguments set just before each launch, which is only correct with a single enqueuing thread.
 */
public final class OpenClBackend implements Backend {
    /** Pending upload staging beyond this is flushed with a wait, so host memory stays bounded. */
    private static final long MAX_PENDING_UPLOAD_BYTES = 64L << 20;

    private final OpenClDevice device;
    private final long context;
    private final long queue;
    private final OpenClAllocator allocator;
    private final OpenClLauncher launcher;
    private final OpenClSequenceOps sequence;
    private final OpenClConvOps conv;
    private final OpenClOptimizerOps optimizer;
    /** Host copies of uploads still in flight: non-blocking writes read them until the queue drains. */
    private final List<FloatBuffer> pendingUploads = new ArrayList<>();
    private long pendingUploadBytes;
    /** Reused for downloads, grown on demand. */
    private FloatBuffer downloadStaging;
    private boolean closed;

    OpenClBackend(OpenClDevice device) {
        this.device = device;
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer status = stack.mallocInt(1);
            PointerBuffer properties = stack.mallocPointer(3)
                    .put(CL_CONTEXT_PLATFORM).put(device.platform()).put(0).flip();
            this.context = clCreateContext(properties, device.device(), null, 0, status);
            JvmSignalHandlers.restore();
            ClErrors.check(status.get(0), "clCreateContext");
            long q = clCreateCommandQueue(context, device.device(), 0, status);
            if (status.get(0) != 0) {
                clReleaseContext(context);
                ClErrors.check(status.get(0), "clCreateCommandQueue");
            }
            this.queue = q;
        }
        this.allocator = new OpenClAllocator(context, device);
        this.launcher = new OpenClLauncher(context, queue, device, allocator);
        this.sequence = new OpenClSequenceOps(this, launcher);
        this.conv = new OpenClConvOps(this, launcher);
        this.optimizer = new OpenClOptimizerOps(launcher);
    }

    @Override
    public BackendKind kind() {
        return BackendKind.OPENCL;
    }

    @Override
    public DeviceInfo device() {
        return device.info();
    }

    @Override
    public String description() {
        return "opencl: " + device.info().name() + " (" + device.info().type() + ", " + device.info().detail() + ")";
    }

    // ---------------------------------------------------------------- memory

    private static OpenClBuffer buf(Buffer buffer) {
        if (!(buffer instanceof OpenClBuffer b)) {
            throw new IllegalArgumentException("not an OpenCL buffer: " + buffer + " (buffers belong to the backend that allocated them)");
        }
        if (b.released) {
            throw new IllegalStateException("use of a released buffer of " + b.length() + " floats");
        }
        return b;
    }

    static long mem(Buffer buffer) {
        return buf(buffer).mem;
    }

    @Override
    public Buffer allocate(int length) {
        return allocator.allocate(length);
    }

    @Override
    public void release(Buffer buffer) {
        if (!(buffer instanceof OpenClBuffer b)) {
            throw new IllegalArgumentException("not an OpenCL buffer: " + buffer);
        }
        allocator.release(b);
    }

    @Override
    public MemoryStats memoryStats() {
        return allocator.stats();
    }

    @Override
    public void emptyCache() {
        allocator.emptyCache();
    }

    @Override
    public void upload(float[] src, int srcOffset, Buffer dst, int dstOffset, int length) {
        BufferRange.check(dst, dstOffset, length, "upload");
        if (length == 0) {
            return;
        }
        long target = mem(dst);
        // Copy to native memory so the write can be non-blocking; the copy lives until the queue drains.
        FloatBuffer staging = MemoryUtil.memAllocFloat(length);
        staging.put(src, srcOffset, length).flip();
        int status = clEnqueueWriteBuffer(queue, target, false, 4L * dstOffset, staging, null, null);
        if (status != 0) {
            MemoryUtil.memFree(staging);
            ClErrors.check(status, "clEnqueueWriteBuffer(" + length + " floats)");
        }
        pendingUploads.add(staging);
        pendingUploadBytes += 4L * length;
        if (pendingUploadBytes > MAX_PENDING_UPLOAD_BYTES) {
            synchronize();
        }
    }

    @Override
    public void download(Buffer src, int srcOffset, float[] dst, int dstOffset, int length) {
        BufferRange.check(src, srcOffset, length, "download");
        if (length == 0) {
            return;
        }
        if (downloadStaging == null || downloadStaging.capacity() < length) {
            if (downloadStaging != null) {
                MemoryUtil.memFree(downloadStaging);
            }
            downloadStaging = MemoryUtil.memAllocFloat(Math.max(length, 1024));
        }
        FloatBuffer staging = downloadStaging.clear().limit(length);
        // Blocking on an in-order queue: returns after every earlier command, so pending uploads are done too.
        ClErrors.check(clEnqueueReadBuffer(queue, mem(src), true, 4L * srcOffset, staging, null, null),
                "clEnqueueReadBuffer(" + length + " floats)");
        staging.get(dst, dstOffset, length);
        freePendingUploads();
    }

    @Override
    public void copy(Buffer src, int srcOffset, Buffer dst, int dstOffset, int length) {
        BufferRange.check(src, srcOffset, length, "copy source");
        BufferRange.check(dst, dstOffset, length, "copy destination");
        if (length == 0) {
            return;
        }
        ClErrors.check(clEnqueueCopyBuffer(queue, mem(src), mem(dst), 4L * srcOffset, 4L * dstOffset, 4L * length, null, null),
                "clEnqueueCopyBuffer(" + length + " floats)");
    }

    @Override
    public void fill(Buffer dst, int offset, int length, float value) {
        BufferRange.check(dst, offset, length, "fill");
        if (length == 0) {
            return;
        }
        long k = launcher.begin("fill");
        clSetKernelArg1p(k, 0, mem(dst));
        clSetKernelArg1i(k, 1, offset);
        clSetKernelArg1i(k, 2, length);
        clSetKernelArg1f(k, 3, value);
        launcher.launch1d(length);
    }

    @Override
    public void synchronize() {
        ClErrors.check(clFinish(queue), "clFinish");
        freePendingUploads();
    }

    private void freePendingUploads() {
        for (FloatBuffer staging : pendingUploads) {
            MemoryUtil.memFree(staging);
        }
        pendingUploads.clear();
        pendingUploadBytes = 0;
    }

    // ---------------------------------------------------------------- linear algebra

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Buffer a, Buffer b, float beta, Buffer c) {
        if (m == 0 || n == 0) {
            return;
        }
        long kernel = launcher.begin("gemm");
        clSetKernelArg1i(kernel, 0, transA ? 1 : 0);
        clSetKernelArg1i(kernel, 1, transB ? 1 : 0);
        clSetKernelArg1i(kernel, 2, m);
        clSetKernelArg1i(kernel, 3, n);
        clSetKernelArg1i(kernel, 4, k);
        clSetKernelArg1f(kernel, 5, alpha);
        clSetKernelArg1p(kernel, 6, mem(a));
        clSetKernelArg1p(kernel, 7, mem(b));
        clSetKernelArg1f(kernel, 8, beta);
        clSetKernelArg1p(kernel, 9, mem(c));
        int t = launcher.gemmTile();
        launcher.enqueue(2, ((long) n + t - 1) / t * t, ((long) m + t - 1) / t * t, 1, t, t);
    }

    // ---------------------------------------------------------------- element-wise

    @Override
    public void unary(UnaryOp op, Buffer x, Buffer y, int n) {
        if (n == 0) {
            return;
        }
        long k = launcher.begin("unary_op");
        clSetKernelArg1i(k, 0, KernelCodes.of(op));
        clSetKernelArg1p(k, 1, mem(x));
        clSetKernelArg1p(k, 2, mem(y));
        clSetKernelArg1i(k, 3, n);
        launcher.launch1d(n);
    }

    @Override
    public void binary(BinaryOp op, Buffer a, Buffer b, Buffer out, int rows, int cols, Broadcast broadcast) {
        if (rows == 0 || cols == 0) {
            return;
        }
        long k = launcher.begin("binary_op");
        clSetKernelArg1i(k, 0, KernelCodes.of(op));
        clSetKernelArg1p(k, 1, mem(a));
        clSetKernelArg1p(k, 2, mem(b));
        clSetKernelArg1p(k, 3, mem(out));
        clSetKernelArg1i(k, 4, rows);
        clSetKernelArg1i(k, 5, cols);
        clSetKernelArg1i(k, 6, KernelCodes.of(broadcast));
        launcher.launch1d(rows * cols);
    }

    @Override
    public void axpby(float alpha, Buffer x, float beta, Buffer y, int n) {
        if (n == 0) {
            return;
        }
        long k = launcher.begin("axpby");
        clSetKernelArg1f(k, 0, alpha);
        clSetKernelArg1p(k, 1, mem(x));
        clSetKernelArg1f(k, 2, beta);
        clSetKernelArg1p(k, 3, mem(y));
        clSetKernelArg1i(k, 4, n);
        launcher.launch1d(n);
    }

    @Override
    public void biasActivation(Buffer x, Buffer bias, Activation act, Buffer y, int rows, int cols) {
        if (rows == 0 || cols == 0) {
            return;
        }
        long k = launcher.begin("bias_activation");
        long xm = mem(x);
        clSetKernelArg1p(k, 0, xm);
        // Without a bias the kernel never reads that argument; x stands in so no NULL cl_mem is passed.
        clSetKernelArg1p(k, 1, bias == null ? xm : mem(bias));
        clSetKernelArg1i(k, 2, bias == null ? 0 : 1);
        clSetKernelArg1i(k, 3, KernelCodes.of(act));
        clSetKernelArg1p(k, 4, mem(y));
        clSetKernelArg1i(k, 5, rows);
        clSetKernelArg1i(k, 6, cols);
        launcher.launch1d(rows * cols);
    }

    @Override
    public void activationBackward(Activation act, Buffer y, Buffer dy, Buffer dx, int n) {
        if (n == 0) {
            return;
        }
        long k = launcher.begin("activation_backward");
        clSetKernelArg1i(k, 0, KernelCodes.of(act));
        clSetKernelArg1p(k, 1, mem(y));
        clSetKernelArg1p(k, 2, mem(dy));
        clSetKernelArg1p(k, 3, mem(dx));
        clSetKernelArg1i(k, 4, n);
        launcher.launch1d(n);
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
        long k = launcher.begin(axis == 0 ? "reduce_cols" : "reduce_rows");
        clSetKernelArg1i(k, 0, KernelCodes.of(op));
        clSetKernelArg1p(k, 1, mem(x));
        clSetKernelArg1p(k, 2, mem(out));
        clSetKernelArg1i(k, 3, rows);
        clSetKernelArg1i(k, 4, cols);
        if (axis == 0) {
            launcher.launch1d(cols);
        } else {
            launcher.launchRows(rows, cols);
        }
    }

    @Override
    public void argmaxRows(Buffer x, Buffer out, int rows, int cols) {
        if (rows == 0) {
            return;
        }
        long k = launcher.begin("argmax_rows");
        clSetKernelArg1p(k, 0, mem(x));
        clSetKernelArg1p(k, 1, mem(out));
        clSetKernelArg1i(k, 2, rows);
        clSetKernelArg1i(k, 3, cols);
        launcher.launchRows(rows, cols);
    }

    // ---------------------------------------------------------------- softmax and losses

    @Override
    public void softmax(Buffer x, Buffer y, int rows, int cols) {
        if (rows == 0 || cols == 0) {
            return;
        }
        long k = launcher.begin("softmax_rows");
        clSetKernelArg1p(k, 0, mem(x));
        clSetKernelArg1p(k, 1, mem(y));
        clSetKernelArg1i(k, 2, rows);
        clSetKernelArg1i(k, 3, cols);
        launcher.launchRows(rows, cols);
    }

    /** {@inheritDoc} A label that is not a class index gives a NaN loss here (a kernel cannot throw). */
    @Override
    public void softmaxCrossEntropy(Buffer logits, Buffer labels, Buffer probs, Buffer losses, int rows, int cols) {
        if (rows == 0 || cols == 0) {
            return;
        }
        long k = launcher.begin("softmax_xent");
        clSetKernelArg1p(k, 0, mem(logits));
        clSetKernelArg1p(k, 1, mem(labels));
        clSetKernelArg1p(k, 2, mem(probs));
        clSetKernelArg1p(k, 3, mem(losses));
        clSetKernelArg1i(k, 4, rows);
        clSetKernelArg1i(k, 5, cols);
        launcher.launchRows(rows, cols);
    }

    @Override
    public void softmaxCrossEntropyBackward(Buffer probs, Buffer labels, Buffer dlogits, int rows, int cols, float scale) {
        if (rows == 0 || cols == 0) {
            return;
        }
        long k = launcher.begin("softmax_xent_backward");
        clSetKernelArg1p(k, 0, mem(probs));
        clSetKernelArg1p(k, 1, mem(labels));
        clSetKernelArg1p(k, 2, mem(dlogits));
        clSetKernelArg1i(k, 3, rows);
        clSetKernelArg1i(k, 4, cols);
        clSetKernelArg1f(k, 5, scale);
        launcher.launch1d(rows * cols);
    }

    // ---------------------------------------------------------------- convolution, pooling, dropout, batch norm (OpenClConvOps)

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

    // ---------------------------------------------------------------- optimizer updates (OpenClOptimizerOps)

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
        closed = true;
        clFinish(queue);
        freePendingUploads();
        if (downloadStaging != null) {
            MemoryUtil.memFree(downloadStaging);
            downloadStaging = null;
        }
        allocator.emptyCache();
        launcher.close();
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }

    // ---------------------------------------------------------------- sequence models (OpenClSequenceOps)

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
