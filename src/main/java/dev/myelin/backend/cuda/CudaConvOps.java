package dev.myelin.backend.cuda;

import dev.myelin.backend.Activation;
import dev.myelin.backend.BatchNormGrads;
import dev.myelin.backend.Buffer;
import dev.myelin.backend.Conv2dGeometry;
import dev.myelin.backend.Im2colConvolution;
import dev.myelin.backend.Pool2dGeometry;
import dev.myelin.backend.opencl.KernelCodes;

/**
 * The convolution, pooling, dropout and batch-norm ops of {@link CudaBackend}: the shared kernels/conv.cl
 * and kernels/norm.cl with the launch shapes the OpenCL backend uses for them. The chunked im2col + GEMM
 * sequence and batch norm's gradient workspaces are shared with the OpenCL backend
 * ({@link Im2colConvolution}, {@link BatchNormGrads}); this class passes the kernels' arguments. Kept
 * apart so that the backend's own file stays about memory, streams and the element-wise op set.
 */
final class CudaConvOps implements Im2colConvolution.Kernels {
    private final CudaBackend backend;
    private final Im2colConvolution convolution;

    CudaConvOps(CudaBackend backend) {
        this.backend = backend;
        this.convolution = new Im2colConvolution(backend, this);
    }

    private CudaArgs args() {
        return backend.args();
    }

    // ---------------------------------------------------------------- convolution

    void conv2d(Conv2dGeometry g, Buffer x, Buffer weight, Buffer bias, Activation act, Buffer y) {
        convolution.forward(g, x, weight, bias, act, y);
    }

    void conv2dBackward(Conv2dGeometry g, Buffer x, Buffer weight, Buffer dy, Buffer dx, Buffer dweight, Buffer dbias) {
        convolution.backward(g, x, weight, dy, dx, dweight, dbias);
    }

    @Override
    public void im2col(Conv2dGeometry g, Buffer x, Buffer col, int n0, int nb) {
        args().p(x).p(col).i(g.inChannels()).i(g.height()).i(g.width()).i(g.kernel()).i(g.stride()).i(g.padding())
                .i(g.outHeight()).i(g.outWidth()).i(n0).i(nb)
                .launch(CudaKernel.IM2COL, LaunchDims.elementwise(Im2colConvolution.columnFloats(g, nb)));
    }

    @Override
    public void convOutput(Conv2dGeometry g, Buffer tmp, Buffer bias, Activation act, Buffer y, int n0, int nb) {
        // Without a bias the kernel never reads that argument; tmp stands in so no null pointer is passed.
        args().p(tmp).p(bias == null ? tmp : bias).i(bias == null ? 0 : 1).i(KernelCodes.of(act)).p(y)
                .i(g.outChannels()).i(g.outHeight() * g.outWidth()).i(n0).i(nb)
                .launch(CudaKernel.CONV_OUTPUT, LaunchDims.elementwise(Im2colConvolution.outputFloats(g, nb)));
    }

    @Override
    public void convBiasGrad(Conv2dGeometry g, Buffer dy, Buffer dbias) {
        args().p(dy).p(dbias).i(g.batch()).i(g.outChannels()).i(g.outHeight() * g.outWidth())
                .launch(CudaKernel.CONV_BIAS_GRAD, LaunchDims.elementwise(g.outChannels()));
    }

    @Override
    public void convGatherDy(Conv2dGeometry g, Buffer dy, Buffer dyT, int n0, int nb) {
        args().p(dy).p(dyT).i(g.outChannels()).i(g.outHeight() * g.outWidth()).i(n0).i(nb)
                .launch(CudaKernel.CONV_GATHER_DY, LaunchDims.elementwise(Im2colConvolution.outputFloats(g, nb)));
    }

    @Override
    public void col2im(Conv2dGeometry g, Buffer col, Buffer dx, int n0, int nb) {
        args().p(col).p(dx).i(g.inChannels()).i(g.height()).i(g.width()).i(g.kernel()).i(g.stride())
                .i(g.padding()).i(g.outHeight()).i(g.outWidth()).i(n0).i(nb)
                .launch(CudaKernel.COL2IM, LaunchDims.elementwise(Im2colConvolution.inputFloats(g, nb)));
    }

    // ---------------------------------------------------------------- pooling

    void maxPool2d(Pool2dGeometry g, Buffer x, Buffer y, Buffer indices) {
        int total = g.outputSize();
        if (total == 0) {
            return;
        }
        // Without indices the kernel never writes that argument; y stands in.
        args().p(x).p(y).p(indices == null ? y : indices).i(indices == null ? 0 : 1)
                .i(g.height()).i(g.width()).i(g.kernel()).i(g.stride()).i(g.padding()).i(g.outHeight()).i(g.outWidth()).i(total)
                .launch(CudaKernel.MAX_POOL2D, LaunchDims.elementwise(total));
    }

    void maxPool2dBackward(Pool2dGeometry g, Buffer dy, Buffer indices, Buffer dx) {
        int total = g.inputSize();
        if (total == 0) {
            return;
        }
        args().p(dy).p(indices).p(dx)
                .i(g.height()).i(g.width()).i(g.kernel()).i(g.stride()).i(g.padding()).i(g.outHeight()).i(g.outWidth()).i(total)
                .launch(CudaKernel.MAX_POOL2D_BACKWARD, LaunchDims.elementwise(total));
    }

    void avgPool2d(Pool2dGeometry g, Buffer x, Buffer y) {
        int total = g.outputSize();
        if (total == 0) {
            return;
        }
        args().p(x).p(y)
                .i(g.height()).i(g.width()).i(g.kernel()).i(g.stride()).i(g.padding()).i(g.outHeight()).i(g.outWidth()).i(total)
                .launch(CudaKernel.AVG_POOL2D, LaunchDims.elementwise(total));
    }

    void avgPool2dBackward(Pool2dGeometry g, Buffer dy, Buffer dx) {
        int total = g.inputSize();
        if (total == 0) {
            return;
        }
        args().p(dy).p(dx)
                .i(g.height()).i(g.width()).i(g.kernel()).i(g.stride()).i(g.padding()).i(g.outHeight()).i(g.outWidth()).i(total)
                .launch(CudaKernel.AVG_POOL2D_BACKWARD, LaunchDims.elementwise(total));
    }

    // ---------------------------------------------------------------- regularisation and normalisation

    void dropout(Buffer x, Buffer y, Buffer mask, int n, float p, float scale, long seed) {
        if (n == 0) {
            return;
        }
        // The seed's two 32-bit halves, as OpenCL passes them: myelin_uniform in kernels/norm.cl = DeviceRandom.
        args().p(x).p(y).p(mask).i(n).f(p).f(scale).i((int) seed).i((int) (seed >>> 32))
                .launch(CudaKernel.DROPOUT, LaunchDims.elementwise(n));
    }

    void batchNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer saveMean, Buffer saveInvStd,
                   Buffer runningMean, Buffer runningVar, int batch, int channels, int spatial,
                   boolean training, float momentum, float eps) {
        if (channels == 0 || batch * spatial == 0) {
            return;
        }
        // Buffers a mode does not touch get x as a stand-in (no null pointer is passed). One block per channel.
        args().p(x).p(gamma).p(beta).p(y).p(saveMean == null ? x : saveMean).p(saveInvStd == null ? x : saveInvStd)
                .p(runningMean == null ? x : runningMean).p(runningVar == null ? x : runningVar)
                .i(runningMean == null ? 0 : 1).i(batch).i(channels).i(spatial).i(training ? 1 : 0).f(momentum).f(eps)
                .launch(CudaKernel.BATCH_NORM, LaunchDims.rows(channels, batch * spatial));
    }

    void batchNormBackward(Buffer x, Buffer dy, Buffer gamma, Buffer saveMean, Buffer saveInvStd,
                           Buffer dx, Buffer dgamma, Buffer dbeta, int batch, int channels, int spatial) {
        // Outputs not wanted get x as a stand-in; the flags keep them unwritten.
        BatchNormGrads.backward(backend, dx, dgamma, dbeta, channels, (dg, db, params) -> args()
                .p(x).p(dy).p(gamma).p(saveMean).p(saveInvStd).p(dx == null ? x : dx).p(dg == null ? x : dg)
                .p(db == null ? x : db).i(dx == null ? 0 : 1).i(params ? 1 : 0).i(batch).i(channels).i(spatial)
                .launch(CudaKernel.BATCH_NORM_BACKWARD, LaunchDims.rows(channels, batch * spatial)));
    }
}
