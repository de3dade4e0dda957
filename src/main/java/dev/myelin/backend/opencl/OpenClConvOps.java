package dev.myelin.backend.opencl;

import dev.myelin.backend.Activation;
import dev.myelin.backend.BatchNormGrads;
import dev.myelin.backend.Buffer;
import dev.myelin.backend.Conv2dGeometry;
import dev.myelin.backend.Im2colConvolution;
import dev.myelin.backend.Pool2dGeometry;

import static dev.myelin.backend.opencl.OpenClBackend.mem;
import static org.lwjgl.opencl.CL10.clSetKernelArg1f;
import static org.lwjgl.opencl.CL10.clSetKernelArg1i;
import static org.lwjgl.opencl.CL10.clSetKernelArg1p;

/**
 * The convolution, pooling, dropout and batch-norm ops of {@link OpenClBackend} (kernels/conv.cl and
 * kernels/norm.cl), kept apart so that the backend's own file stays about memory, queues and the
 * element-wise op set. The chunked im2col + GEMM sequence and batch norm's gradient workspaces are
 * shared with the CUDA backend ({@link Im2colConvolution}, {@link BatchNormGrads}); this class sets the
 * kernels' arguments and launches them through the backend's {@link OpenClLauncher}.
 */
final class OpenClConvOps implements Im2colConvolution.Kernels {
    private final OpenClBackend backend;
    private final OpenClLauncher launcher;
    private final Im2colConvolution convolution;

    OpenClConvOps(OpenClBackend backend, OpenClLauncher launcher) {
        this.backend = backend;
        this.launcher = launcher;
        this.convolution = new Im2colConvolution(backend, this);
    }

    // ---------------------------------------------------------------- convolution

    void conv2d(Conv2dGeometry g, Buffer x, Buffer weight, Buffer bias, Activation act, Buffer y) {
        convolution.forward(g, x, weight, bias, act, y);
    }

    void conv2dBackward(Conv2dGeometry g, Buffer x, Buffer weight, Buffer dy, Buffer dx, Buffer dweight, Buffer dbias) {
        convolution.backward(g, x, weight, dy, dx, dweight, dbias);
    }

    /** Arguments C, H, W, k, s, pad, OH, OW from {@code index} on. */
    private static void setGeometry(long k, int index, Conv2dGeometry g) {
        clSetKernelArg1i(k, index, g.inChannels());
        clSetKernelArg1i(k, index + 1, g.height());
        clSetKernelArg1i(k, index + 2, g.width());
        clSetKernelArg1i(k, index + 3, g.kernel());
        clSetKernelArg1i(k, index + 4, g.stride());
        clSetKernelArg1i(k, index + 5, g.padding());
        clSetKernelArg1i(k, index + 6, g.outHeight());
        clSetKernelArg1i(k, index + 7, g.outWidth());
    }

    @Override
    public void im2col(Conv2dGeometry g, Buffer x, Buffer col, int n0, int nb) {
        long k = launcher.begin("im2col");
        clSetKernelArg1p(k, 0, mem(x));
        clSetKernelArg1p(k, 1, mem(col));
        setGeometry(k, 2, g);
        clSetKernelArg1i(k, 10, n0);
        clSetKernelArg1i(k, 11, nb);
        launcher.launch1d((int) Im2colConvolution.columnFloats(g, nb));
    }

    @Override
    public void convOutput(Conv2dGeometry g, Buffer tmp, Buffer bias, Activation act, Buffer y, int n0, int nb) {
        long k = launcher.begin("conv_output");
        clSetKernelArg1p(k, 0, mem(tmp));
        // Without a bias the kernel never reads that argument; tmp stands in so no NULL cl_mem is passed.
        clSetKernelArg1p(k, 1, bias == null ? mem(tmp) : mem(bias));
        clSetKernelArg1i(k, 2, bias == null ? 0 : 1);
        clSetKernelArg1i(k, 3, KernelCodes.of(act));
        clSetKernelArg1p(k, 4, mem(y));
        clSetKernelArg1i(k, 5, g.outChannels());
        clSetKernelArg1i(k, 6, g.outHeight() * g.outWidth());
        clSetKernelArg1i(k, 7, n0);
        clSetKernelArg1i(k, 8, nb);
        launcher.launch1d((int) Im2colConvolution.outputFloats(g, nb));
    }

    @Override
    public void convBiasGrad(Conv2dGeometry g, Buffer dy, Buffer dbias) {
        long k = launcher.begin("conv_bias_grad");
        clSetKernelArg1p(k, 0, mem(dy));
        clSetKernelArg1p(k, 1, mem(dbias));
        clSetKernelArg1i(k, 2, g.batch());
        clSetKernelArg1i(k, 3, g.outChannels());
        clSetKernelArg1i(k, 4, g.outHeight() * g.outWidth());
        launcher.launch1d(g.outChannels());
    }

    @Override
    public void convGatherDy(Conv2dGeometry g, Buffer dy, Buffer dyT, int n0, int nb) {
        long k = launcher.begin("conv_gather_dy");
        clSetKernelArg1p(k, 0, mem(dy));
        clSetKernelArg1p(k, 1, mem(dyT));
        clSetKernelArg1i(k, 2, g.outChannels());
        clSetKernelArg1i(k, 3, g.outHeight() * g.outWidth());
        clSetKernelArg1i(k, 4, n0);
        clSetKernelArg1i(k, 5, nb);
        launcher.launch1d((int) Im2colConvolution.outputFloats(g, nb));
    }

    @Override
    public void col2im(Conv2dGeometry g, Buffer col, Buffer dx, int n0, int nb) {
        long k = launcher.begin("col2im");
        clSetKernelArg1p(k, 0, mem(col));
        clSetKernelArg1p(k, 1, mem(dx));
        setGeometry(k, 2, g);
        clSetKernelArg1i(k, 10, n0);
        clSetKernelArg1i(k, 11, nb);
        launcher.launch1d((int) Im2colConvolution.inputFloats(g, nb));
    }

    // ---------------------------------------------------------------- pooling

    /** Arguments H, W, k, s, pad, OH, OW, total from {@code index} on. */
    private static void setPool(long k, int index, Pool2dGeometry g, int total) {
        clSetKernelArg1i(k, index, g.height());
        clSetKernelArg1i(k, index + 1, g.width());
        clSetKernelArg1i(k, index + 2, g.kernel());
        clSetKernelArg1i(k, index + 3, g.stride());
        clSetKernelArg1i(k, index + 4, g.padding());
        clSetKernelArg1i(k, index + 5, g.outHeight());
        clSetKernelArg1i(k, index + 6, g.outWidth());
        clSetKernelArg1i(k, index + 7, total);
    }

    void maxPool2d(Pool2dGeometry g, Buffer x, Buffer y, Buffer indices) {
        int total = g.outputSize();
        if (total == 0) {
            return;
        }
        long k = launcher.begin("max_pool2d");
        clSetKernelArg1p(k, 0, mem(x));
        clSetKernelArg1p(k, 1, mem(y));
        // Without indices the kernel never writes that argument; y stands in.
        clSetKernelArg1p(k, 2, indices == null ? mem(y) : mem(indices));
        clSetKernelArg1i(k, 3, indices == null ? 0 : 1);
        setPool(k, 4, g, total);
        launcher.launch1d(total);
    }

    void maxPool2dBackward(Pool2dGeometry g, Buffer dy, Buffer indices, Buffer dx) {
        int total = g.inputSize();
        if (total == 0) {
            return;
        }
        long k = launcher.begin("max_pool2d_backward");
        clSetKernelArg1p(k, 0, mem(dy));
        clSetKernelArg1p(k, 1, mem(indices));
        clSetKernelArg1p(k, 2, mem(dx));
        setPool(k, 3, g, total);
        launcher.launch1d(total);
    }

    void avgPool2d(Pool2dGeometry g, Buffer x, Buffer y) {
        int total = g.outputSize();
        if (total == 0) {
            return;
        }
        long k = launcher.begin("avg_pool2d");
        clSetKernelArg1p(k, 0, mem(x));
        clSetKernelArg1p(k, 1, mem(y));
        setPool(k, 2, g, total);
        launcher.launch1d(total);
    }

    void avgPool2dBackward(Pool2dGeometry g, Buffer dy, Buffer dx) {
        int total = g.inputSize();
        if (total == 0) {
            return;
        }
        long k = launcher.begin("avg_pool2d_backward");
        clSetKernelArg1p(k, 0, mem(dy));
        clSetKernelArg1p(k, 1, mem(dx));
        setPool(k, 2, g, total);
        launcher.launch1d(total);
    }

    // ---------------------------------------------------------------- regularisation and normalisation

    void dropout(Buffer x, Buffer y, Buffer mask, int n, float p, float scale, long seed) {
        if (n == 0) {
            return;
        }
        long k = launcher.begin("dropout");
        clSetKernelArg1p(k, 0, mem(x));
        clSetKernelArg1p(k, 1, mem(y));
        clSetKernelArg1p(k, 2, mem(mask));
        clSetKernelArg1i(k, 3, n);
        clSetKernelArg1f(k, 4, p);
        clSetKernelArg1f(k, 5, scale);
        // The seed's two 32-bit halves: myelin_uniform in kernels/norm.cl = DeviceRandom.
        clSetKernelArg1i(k, 6, (int) seed);
        clSetKernelArg1i(k, 7, (int) (seed >>> 32));
        launcher.launch1d(n);
    }

    void batchNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer saveMean, Buffer saveInvStd,
                   Buffer runningMean, Buffer runningVar, int batch, int channels, int spatial,
                   boolean training, float momentum, float eps) {
        if (channels == 0 || batch * spatial == 0) {
            return;
        }
        long xm = mem(x);
        long k = launcher.begin("batch_norm");
        clSetKernelArg1p(k, 0, xm);
        clSetKernelArg1p(k, 1, mem(gamma));
        clSetKernelArg1p(k, 2, mem(beta));
        clSetKernelArg1p(k, 3, mem(y));
        // Buffers a mode does not touch get x as a stand-in (no NULL cl_mem is passed).
        clSetKernelArg1p(k, 4, saveMean == null ? xm : mem(saveMean));
        clSetKernelArg1p(k, 5, saveInvStd == null ? xm : mem(saveInvStd));
        clSetKernelArg1p(k, 6, runningMean == null ? xm : mem(runningMean));
        clSetKernelArg1p(k, 7, runningVar == null ? xm : mem(runningVar));
        clSetKernelArg1i(k, 8, runningMean == null ? 0 : 1);
        clSetKernelArg1i(k, 9, batch);
        clSetKernelArg1i(k, 10, channels);
        clSetKernelArg1i(k, 11, spatial);
        clSetKernelArg1i(k, 12, training ? 1 : 0);
        clSetKernelArg1f(k, 13, momentum);
        clSetKernelArg1f(k, 14, eps);
        launcher.launchRows(channels, batch * spatial);
    }

    void batchNormBackward(Buffer x, Buffer dy, Buffer gamma, Buffer saveMean, Buffer saveInvStd,
                           Buffer dx, Buffer dgamma, Buffer dbeta, int batch, int channels, int spatial) {
        BatchNormGrads.backward(backend, dx, dgamma, dbeta, channels, (dg, db, params) -> {
            long xm = mem(x);
            long k = launcher.begin("batch_norm_backward");
            clSetKernelArg1p(k, 0, xm);
            clSetKernelArg1p(k, 1, mem(dy));
            clSetKernelArg1p(k, 2, mem(gamma));
            clSetKernelArg1p(k, 3, mem(saveMean));
            clSetKernelArg1p(k, 4, mem(saveInvStd));
            // Outputs not wanted get x as a stand-in; the flags keep them unwritten.
            clSetKernelArg1p(k, 5, dx == null ? xm : mem(dx));
            clSetKernelArg1p(k, 6, dg == null ? xm : mem(dg));
            clSetKernelArg1p(k, 7, db == null ? xm : mem(db));
            clSetKernelArg1i(k, 8, dx == null ? 0 : 1);
            clSetKernelArg1i(k, 9, params ? 1 : 0);
            clSetKernelArg1i(k, 10, batch);
            clSetKernelArg1i(k, 11, channels);
            clSetKernelArg1i(k, 12, spatial);
            launcher.launchRows(channels, batch * spatial);
        });
    }
}
