package dev.myelin.backend;

/**
 * The host side of the GPU backends' convolution, im2col + GEMM over chunks of the batch, written once
 * for OpenCL and CUDA: how many samples a chunk takes, the workspaces, and the order of the launches.
 * A backend supplies only its kernel launches ({@link Kernels}, kernels/conv.cl); the GEMMs, the
 * workspaces and the zero fill go through the {@link Backend} itself.
 *
 * <p>Workspaces are released after enqueueing: both backends run one in-order queue (or stream), so
 * every use has run before a pooled block is handed out again.
 */
public final class Im2colConvolution {
    /** Largest im2col workspace (floats) one chunk may take; bigger batches run in chunks. */
    static final int MAX_COL_FLOATS = 1 << 24;

    /** The kernels of kernels/conv.cl, launched on one chunk [n0, n0 + nb) of the batch. */
    public interface Kernels {
        /** col [patchSize, nb * plane] from samples n0.. of x: {@link #columnFloats} work-items. */
        void im2col(Conv2dGeometry g, Buffer x, Buffer col, int n0, int nb);

        /** y's samples n0.. = act(tmp + bias) from tmp [outChannels, nb * plane]; bias may be null. */
        void convOutput(Conv2dGeometry g, Buffer tmp, Buffer bias, Activation act, Buffer y, int n0, int nb);

        /** dbias = dy summed over batch and plane: outChannels work-items. */
        void convBiasGrad(Conv2dGeometry g, Buffer dy, Buffer dbias);

        /** dyT [outChannels, nb * plane] from samples n0.. of dy: {@link #outputFloats} work-items. */
        void convGatherDy(Conv2dGeometry g, Buffer dy, Buffer dyT, int n0, int nb);

        /** dx's samples n0.. from col (overwritten, not added): {@link #inputFloats} work-items. */
        void col2im(Conv2dGeometry g, Buffer col, Buffer dx, int n0, int nb);
    }

    private final Backend backend;
    private final Kernels kernels;

    public Im2colConvolution(Backend backend, Kernels kernels) {
        this.backend = backend;
        this.kernels = kernels;
    }

    /** Samples per chunk: as many as keep the im2col workspace within {@link #MAX_COL_FLOATS}, at least one. */
    public static int samplesPerChunk(Conv2dGeometry g) {
        long perSample = (long) g.patchSize() * g.outHeight() * g.outWidth();
        return (int) Math.max(1, Math.min(g.batch(), MAX_COL_FLOATS / Math.max(1, perSample)));
    }

    /** Elements of the im2col matrix of nb samples: patchSize * nb * outHeight * outWidth. */
    public static long columnFloats(Conv2dGeometry g, int nb) {
        return (long) g.patchSize() * nb * g.outHeight() * g.outWidth();
    }

    /** Elements of nb samples of y (or of dyT): nb * outChannels * outHeight * outWidth. */
    public static long outputFloats(Conv2dGeometry g, int nb) {
        return (long) nb * g.outChannels() * (g.outHeight() * g.outWidth());
    }

    /** Elements of nb samples of x (or of dx): nb * inChannels * height * width. */
    public static long inputFloats(Conv2dGeometry g, int nb) {
        return (long) nb * g.inChannels() * g.height() * g.width();
    }

    /** {@link Backend#conv2d}. */
    public void forward(Conv2dGeometry g, Buffer x, Buffer weight, Buffer bias, Activation act, Buffer y) {
        if (g.batch() == 0) {
            return;
        }
        int plane = g.outHeight() * g.outWidth();
        int chunk = samplesPerChunk(g);
        Buffer col = backend.allocate(g.patchSize() * chunk * plane);
        Buffer tmp = backend.allocate(g.outChannels() * chunk * plane);
        try {
            for (int n0 = 0; n0 < g.batch(); n0 += chunk) {
                int nb = Math.min(chunk, g.batch() - n0);
                kernels.im2col(g, x, col, n0, nb);
                backend.gemm(false, false, g.outChannels(), nb * plane, g.patchSize(), 1f, weight, col, 0f, tmp);
                kernels.convOutput(g, tmp, bias, act, y, n0, nb);
            }
        } finally {
            backend.release(col);
            backend.release(tmp);
        }
    }

    /** {@link Backend#conv2dBackward}: dweight sums over the chunks (beta 1 after the first). */
    public void backward(Conv2dGeometry g, Buffer x, Buffer weight, Buffer dy, Buffer dx, Buffer dweight, Buffer dbias) {
        if (dbias != null) {
            kernels.convBiasGrad(g, dy, dbias);
        }
        if (dweight == null && dx == null) {
            return;
        }
        if (g.batch() == 0) {
            if (dweight != null) {
                backend.fill(dweight, 0, g.weightSize(), 0f);
            }
            return;
        }
        int plane = g.outHeight() * g.outWidth();
        int chunk = samplesPerChunk(g);
        Buffer col = backend.allocate(g.patchSize() * chunk * plane);
        Buffer dyT = backend.allocate(g.outChannels() * chunk * plane);
        try {
            for (int n0 = 0; n0 < g.batch(); n0 += chunk) {
                int nb = Math.min(chunk, g.batch() - n0);
                kernels.convGatherDy(g, dy, dyT, n0, nb);
                if (dweight != null) {
                    kernels.im2col(g, x, col, n0, nb);
                    backend.gemm(false, true, g.outChannels(), g.patchSize(), nb * plane, 1f, dyT, col, n0 == 0 ? 0f : 1f,
                            dweight);
                }
                if (dx != null) {
                    backend.gemm(true, false, g.patchSize(), nb * plane, g.outChannels(), 1f, weight, dyT, 0f, col);
                    kernels.col2im(g, col, dx, n0, nb);
                }
            }
        } finally {
            backend.release(col);
            backend.release(dyT);
        }
    }
}
