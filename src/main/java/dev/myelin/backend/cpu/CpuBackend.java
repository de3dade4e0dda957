package dev.myelin.backend.cpu;

import dev.myelin.backend.Activation;
import dev.myelin.backend.SgdVelocity;
import dev.myelin.backend.AdamBiasCorrection;
import dev.myelin.backend.Backend;
import dev.myelin.backend.BackendKind;
import dev.myelin.backend.BinaryOp;
import dev.myelin.backend.Conv2dGeometry;
import dev.myelin.backend.Pool2dGeometry;
import dev.myelin.backend.Broadcast;
import dev.myelin.backend.Buffer;
import dev.myelin.backend.DeviceInfo;
import dev.myelin.backend.MemoryStats;
import dev.myelin.backend.ReduceOp;
import dev.myelin.backend.UnaryOp;

import java.util.Arrays;

/**
 * The pure-Java backend: the fallback on every machine and the reference every other backend is
 * tested against. Ops run synchronously on the caller, split over {@link Parallel}'s pool when they
 * are large enough to pay for it.
 */
public final class CpuBackend implements Backend {
    private final CpuAllocator allocator = new CpuAllocator();
    private final DeviceInfo device;

    public CpuBackend() {
        this.device = new DeviceInfo(cpuName(), "cpu", Runtime.getRuntime().maxMemory(),
                Parallel.threads(), VectorSupport.description());
    }

    private static String cpuName() {
        return System.getProperty("os.arch") + " (" + Runtime.getRuntime().availableProcessors() + " cores)";
    }

    private static float[] data(Buffer buffer) {
        return ((CpuBuffer) buffer).data;
    }

    @Override
    public BackendKind kind() {
        return BackendKind.CPU;
    }

    @Override
    public DeviceInfo device() {
        return device;
    }

    @Override
    public String description() {
        return "cpu (" + Parallel.threads() + " threads, " + VectorSupport.description() + ")";
    }

    // ---------------------------------------------------------------- memory

    @Override
    public Buffer allocate(int length) {
        return allocator.allocate(length);
    }

    @Override
    public void release(Buffer buffer) {
        allocator.release((CpuBuffer) buffer);
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
        System.arraycopy(src, srcOffset, data(dst), dstOffset, length);
    }

    @Override
    public void download(Buffer src, int srcOffset, float[] dst, int dstOffset, int length) {
        System.arraycopy(data(src), srcOffset, dst, dstOffset, length);
    }

    @Override
    public void copy(Buffer src, int srcOffset, Buffer dst, int dstOffset, int length) {
        System.arraycopy(data(src), srcOffset, data(dst), dstOffset, length);
    }

    @Override
    public void fill(Buffer dst, int offset, int length, float value) {
        Arrays.fill(data(dst), offset, offset + length, value);
    }

    @Override
    public void synchronize() {
        // Every op has finished when it returns.
    }

    // ---------------------------------------------------------------- linear algebra

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Buffer a, Buffer b, float beta, Buffer c) {
        if (m == 0 || n == 0) {
            return;
        }
        CpuGemm.gemm(transA, transB, m, n, k, alpha, data(a), data(b), beta, data(c));
    }

    // ---------------------------------------------------------------- element-wise

    @Override
    public void unary(UnaryOp op, Buffer x, Buffer y, int n) {
        float[] xs = data(x);
        float[] ys = data(y);
        Parallel.forRange(n, op == UnaryOp.RELU || op == UnaryOp.NEG || op == UnaryOp.ABS ? 1 : 8,
                (from, to) -> ElementKernels.unary(op, xs, ys, from, to));
    }

    @Override
    public void binary(BinaryOp op, Buffer a, Buffer b, Buffer out, int rows, int cols, Broadcast broadcast) {
        float[] as = data(a);
        float[] bs = data(b);
        float[] os = data(out);
        Parallel.forRange(rows, cols, (from, to) -> ElementKernels.binary(op, as, bs, os, from, to, cols, broadcast));
    }

    @Override
    public void axpby(float alpha, Buffer x, float beta, Buffer y, int n) {
        float[] xs = data(x);
        float[] ys = data(y);
        Parallel.forRange(n, 1, (from, to) -> ElementKernels.axpby(alpha, xs, beta, ys, from, to));
    }

    @Override
    public void biasActivation(Buffer x, Buffer bias, Activation act, Buffer y, int rows, int cols) {
        float[] xs = data(x);
        float[] bs = bias == null ? null : data(bias);
        float[] ys = data(y);
        Parallel.forRange(rows, cols, (from, to) -> ElementKernels.biasActivation(xs, bs, act, ys, from, to, cols));
    }

    @Override
    public void activationBackward(Activation act, Buffer y, Buffer dy, Buffer dx, int n) {
        float[] ys = data(y);
        float[] dys = data(dy);
        float[] dxs = data(dx);
        if (act == Activation.RELU && VectorSupport.available()) {
            Parallel.forRange(n, 1, (from, to) -> VectorActivations.reluBackward(ys, dys, dxs, from, to));
            return;
        }
        Parallel.forRange(n, 1, (from, to) -> ElementKernels.activationBackward(act, ys, dys, dxs, from, to));
    }

    // ---------------------------------------------------------------- reductions

    @Override
    public void reduce(ReduceOp op, Buffer x, Buffer out, int rows, int cols, int axis) {
        float[] xs = data(x);
        float[] os = data(out);
        if (axis == 1) {
            Parallel.forRange(rows, cols, (from, to) -> {
                for (int r = from; r < to; r++) {
                    os[r] = ElementKernels.reduceRow(op, xs, r * cols, cols);
                }
            });
        } else if (axis == 0) {
            // Column reductions walk rows in order so every inner loop is contiguous; split over columns.
            Parallel.forRange(cols, rows, (from, to) -> ElementKernels.reduceColumns(op, xs, os, rows, cols, from, to));
        } else {
            throw new IllegalArgumentException("reduce axis must be 0 or 1, got " + axis);
        }
    }

    @Override
    public void argmaxRows(Buffer x, Buffer out, int rows, int cols) {
        float[] xs = data(x);
        float[] os = data(out);
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            int best = 0;
            float bestValue = xs[base];
            for (int c = 1; c < cols; c++) {
                if (xs[base + c] > bestValue) {
                    bestValue = xs[base + c];
                    best = c;
                }
            }
            os[r] = best;
        }
    }

    // ---------------------------------------------------------------- softmax and losses

    @Override
    public void softmax(Buffer x, Buffer y, int rows, int cols) {
        float[] xs = data(x);
        float[] ys = data(y);
        Parallel.forRange(rows, 8L * cols, (from, to) -> {
            for (int r = from; r < to; r++) {
                ElementKernels.softmaxRow(xs, ys, r * cols, cols);
            }
        });
    }

    @Override
    public void softmaxCrossEntropy(Buffer logits, Buffer labels, Buffer probs, Buffer losses, int rows, int cols) {
        float[] xs = data(logits);
        float[] ls = data(labels);
        float[] ps = data(probs);
        float[] out = data(losses);
        Parallel.forRange(rows, 8L * cols, (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * cols;
                float logSum = ElementKernels.softmaxRow(xs, ps, base, cols);
                int label = label(ls[r], cols, r);
                // -log softmax computed from the logits, not log(prob), so it stays finite when prob underflows.
                out[r] = logSum - xs[base + label];
            }
        });
    }

    static int label(float value, int cols, int row) {
        int label = (int) value;
        if (label != value || label < 0 || label >= cols) {
            throw new IllegalArgumentException("label " + value + " at row " + row + " is not a class index in [0, " + cols + ")");
        }
        return label;
    }

    @Override
    public void softmaxCrossEntropyBackward(Buffer probs, Buffer labels, Buffer dlogits, int rows, int cols, float scale) {
        float[] ps = data(probs);
        float[] ls = data(labels);
        float[] ds = data(dlogits);
        Parallel.forRange(rows, cols, (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * cols;
                int label = label(ls[r], cols, r);
                for (int c = 0; c < cols; c++) {
                    ds[base + c] = scale * (ps[base + c] - (c == label ? 1f : 0f));
                }
            }
        });
    }

    // ---------------------------------------------------------------- convolution and pooling

    private static float[] dataOrNull(Buffer buffer) {
        return buffer == null ? null : data(buffer);
    }

    @Override
    public void conv2d(Conv2dGeometry g, Buffer x, Buffer weight, Buffer bias, Activation act, Buffer y) {
        ConvKernels.conv2d(g, data(x), data(weight), dataOrNull(bias), act, data(y));
    }

    @Override
    public void conv2dBackward(Conv2dGeometry g, Buffer x, Buffer weight, Buffer dy,
                               Buffer dx, Buffer dweight, Buffer dbias) {
        ConvKernels.conv2dBackward(g, dataOrNull(x), dataOrNull(weight), data(dy),
                dataOrNull(dx), dataOrNull(dweight), dataOrNull(dbias));
    }

    @Override
    public void maxPool2d(Pool2dGeometry g, Buffer x, Buffer y, Buffer indices) {
        ConvKernels.maxPool2d(g, data(x), data(y), dataOrNull(indices));
    }

    @Override
    public void maxPool2dBackward(Pool2dGeometry g, Buffer dy, Buffer indices, Buffer dx) {
        ConvKernels.maxPool2dBackward(g, data(dy), data(indices), data(dx));
    }

    @Override
    public void avgPool2d(Pool2dGeometry g, Buffer x, Buffer y) {
        ConvKernels.avgPool2d(g, data(x), data(y));
    }

    @Override
    public void avgPool2dBackward(Pool2dGeometry g, Buffer dy, Buffer dx) {
        ConvKernels.avgPool2dBackward(g, data(dy), data(dx));
    }

    // ---------------------------------------------------------------- regularisation and normalisation

    @Override
    public void dropout(Buffer x, Buffer y, Buffer mask, int n, float p, float scale, long seed) {
        NormKernels.dropout(data(x), data(y), data(mask), n, p, scale, seed);
    }

    @Override
    public void batchNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer saveMean, Buffer saveInvStd,
                          Buffer runningMean, Buffer runningVar, int batch, int channels, int spatial,
                          boolean training, float momentum, float eps) {
        NormKernels.batchNorm(data(x), data(gamma), data(beta), data(y), dataOrNull(saveMean), dataOrNull(saveInvStd),
                dataOrNull(runningMean), dataOrNull(runningVar), batch, channels, spatial, training, momentum, eps);
    }

    @Override
    public void batchNormBackward(Buffer x, Buffer dy, Buffer gamma, Buffer saveMean, Buffer saveInvStd,
                                  Buffer dx, Buffer dgamma, Buffer dbeta, int batch, int channels, int spatial) {
        NormKernels.batchNormBackward(data(x), data(dy), data(gamma), data(saveMean), data(saveInvStd),
                dataOrNull(dx), dataOrNull(dgamma), dataOrNull(dbeta), batch, channels, spatial);
    }

    @Override
    public void adadeltaUpdate(Buffer param, Buffer grad, Buffer squareAvg, Buffer accDelta, int n,
                               float lr, float rho, float eps, float weightDecay) {
        NormKernels.adadelta(data(param), data(grad), data(squareAvg), data(accDelta), n, lr, rho, eps, weightDecay);
    }

    // ---------------------------------------------------------------- optimizer updates

    @Override
    public void sgdUpdate(Buffer param, Buffer grad, Buffer velocity, int n,
                          float lr, float momentum, float weightDecay, boolean nesterov) {
        float[] p = data(param);
        float[] g = data(grad);
        float[] v = velocity == null ? null : data(velocity);
        SgdVelocity.require(momentum, velocity);
        Parallel.forRange(n, 4, (from, to) -> {
            for (int i = from; i < to; i++) {
                float gi = g[i] + weightDecay * p[i];
                if (momentum != 0f) {
                    float vi = momentum * v[i] + gi;
                    v[i] = vi;
                    gi = nesterov ? gi + momentum * vi : vi;
                }
                p[i] -= lr * gi;
            }
        });
    }

    @Override
    public void adamUpdate(Buffer param, Buffer grad, Buffer m, Buffer v, int n,
                           float lr, float beta1, float beta2, float eps, float weightDecay,
                           boolean decoupledWeightDecay, int step) {
        float[] p = data(param);
        float[] g = data(grad);
        float[] ms = data(m);
        float[] vs = data(v);
        AdamBiasCorrection correction = AdamBiasCorrection.at(step, lr, beta1, beta2);
        float stepSize = correction.stepSize();
        float invSqrtCorrection2 = correction.invSqrtCorrection2();
        if (VectorSupport.available()) {
            Parallel.forRange(n, 8, (from, to) -> VectorAdam.update(p, g, ms, vs, from, to, lr, beta1, beta2,
                    eps, weightDecay, decoupledWeightDecay, stepSize, invSqrtCorrection2));
        } else {
            Parallel.forRange(n, 8, (from, to) -> adamScalar(p, g, ms, vs, from, to, lr, beta1, beta2,
                    eps, weightDecay, decoupledWeightDecay, stepSize, invSqrtCorrection2));
        }
    }

    /** The Adam update over [from, to), one element at a time: the reference {@link VectorAdam} matches. */
    static void adamScalar(float[] p, float[] g, float[] ms, float[] vs, int from, int to,
                           float lr, float beta1, float beta2, float eps, float weightDecay,
                           boolean decoupledWeightDecay, float stepSize, float invSqrtCorrection2) {
        float decay = lr * weightDecay;
        float oneMinusBeta1 = 1 - beta1;
        float oneMinusBeta2 = 1 - beta2;
        for (int i = from; i < to; i++) {
            float pi = p[i];
            float gi = g[i];
            if (decoupledWeightDecay) {
                pi -= decay * pi;
            } else {
                gi += weightDecay * pi;
            }
            float mi = beta1 * ms[i] + oneMinusBeta1 * gi;
            float vi = beta2 * vs[i] + oneMinusBeta2 * gi * gi;
            ms[i] = mi;
            vs[i] = vi;
            p[i] = pi - stepSize * mi / ((float) Math.sqrt(vi) * invSqrtCorrection2 + eps);
        }
    }

    @Override
    public void close() {
        allocator.emptyCache();
    }

    // ---------------------------------------------------------------- sequence models

    @Override
    public void gemmBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            Buffer a, int strideA, Buffer b, int strideB, float beta, Buffer c, int strideC, int batch) {
        SequenceKernels.gemmBatched(transA, transB, m, n, k, alpha, data(a), strideA, data(b), strideB,
                beta, data(c), strideC, batch);
    }

    @Override
    public void copyStrided(Buffer src, int srcOffset, int srcBatchStride, int srcRowStride,
                            Buffer dst, int dstOffset, int dstBatchStride, int dstRowStride,
                            int batches, int rows, int cols, boolean accumulate) {
        SequenceKernels.copyStrided(data(src), srcOffset, srcBatchStride, srcRowStride,
                data(dst), dstOffset, dstBatchStride, dstRowStride, batches, rows, cols, accumulate);
    }

    @Override
    public void causalSoftmax(Buffer x, Buffer y, int rows, int cols, float scale) {
        SequenceKernels.causalSoftmax(data(x), data(y), rows, cols, scale);
    }

    @Override
    public void softmaxBackward(Buffer y, Buffer dy, Buffer dx, int rows, int cols, float scale) {
        SequenceKernels.softmaxBackward(data(y), data(dy), data(dx), rows, cols, scale);
    }

    @Override
    public void layerNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer saveMean, Buffer saveInvStd,
                          int rows, int cols, float eps) {
        SequenceKernels.layerNorm(data(x), data(gamma), data(beta), data(y), dataOrNull(saveMean),
                dataOrNull(saveInvStd), rows, cols, eps);
    }

    @Override
    public void layerNormBackward(Buffer x, Buffer dy, Buffer gamma, Buffer saveMean, Buffer saveInvStd,
                                  Buffer dx, Buffer dgamma, Buffer dbeta, int rows, int cols) {
        SequenceKernels.layerNormBackward(data(x), data(dy), data(gamma), data(saveMean), data(saveInvStd),
                dataOrNull(dx), dataOrNull(dgamma), dataOrNull(dbeta), rows, cols);
    }

    @Override
    public void embedding(Buffer table, Buffer ids, Buffer out, int n, int dim) {
        SequenceKernels.embedding(data(table), data(ids), data(out), n, dim);
    }

    @Override
    public void embeddingBackward(Buffer dOut, Buffer ids, Buffer dTable, int n, int dim, int vocab) {
        SequenceKernels.embeddingBackward(data(dOut), data(ids), data(dTable), n, dim, vocab);
    }

    @Override
    public void unaryBackward(UnaryOp op, Buffer x, Buffer dy, Buffer dx, int n) {
        float[] xs = data(x);
        float[] dys = data(dy);
        float[] dxs = data(dx);
        Parallel.forRange(n, 8, (from, to) -> ElementKernels.unaryBackward(op, xs, dys, dxs, from, to));
    }

    @Override
    public void lstmCell(Buffer gates, Buffer cPrev, Buffer c, Buffer h, int batch, int hidden) {
        SequenceKernels.lstmCell(data(gates), data(cPrev), data(c), data(h), batch, hidden);
    }

    @Override
    public void lstmCellBackward(Buffer gates, Buffer cPrev, Buffer c, Buffer dh, Buffer dc,
                                 Buffer dGates, Buffer dcPrev, int batch, int hidden) {
        SequenceKernels.lstmCellBackward(data(gates), data(cPrev), data(c), data(dh), dataOrNull(dc),
                data(dGates), data(dcPrev), batch, hidden);
    }

    @Override
    public void gruCell(Buffer xg, Buffer hg, Buffer hPrev, Buffer h, Buffer saved, int batch, int hidden) {
        SequenceKernels.gruCell(data(xg), data(hg), data(hPrev), data(h), data(saved), batch, hidden);
    }

    @Override
    public void gruCellBackward(Buffer saved, Buffer hg, Buffer hPrev, Buffer dh,
                                Buffer dxg, Buffer dhg, Buffer dhPrev, int batch, int hidden) {
        SequenceKernels.gruCellBackward(data(saved), data(hg), data(hPrev), data(dh), data(dxg), data(dhg),
                data(dhPrev), batch, hidden);
    }
}
