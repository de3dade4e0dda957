package dev.myelin.autograd;

import dev.myelin.backend.Activation;
import dev.myelin.backend.Backend;
import dev.myelin.backend.BinaryOp;
import dev.myelin.backend.Broadcast;
import dev.myelin.backend.Conv2dGeometry;
import dev.myelin.backend.Pool2dGeometry;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

import static dev.myelin.autograd.Recording.like;
import static dev.myelin.autograd.Recording.record;
import static dev.myelin.autograd.Recording.recording;

/**
 * Differentiable ops of convolutional networks, in the manner of torch.nn.functional: conv2d,
 * max/avg pooling, dropout and batch norm over NCHW tensors. Forward and backward are backend ops.
 */
public final class ConvOps {
    private ConvOps() {
    }

    private static void requireRank4(String op, Tensor x) {
        if (x.shape().rank() != 4) {
            throw new IllegalArgumentException(op + ": input of shape " + x.shape() + " must be [N, C, H, W]");
        }
    }

    // ---------------------------------------------------------------- convolution

    /**
     * y = act(conv2d(x, weight) + bias): x [N, C, H, W], weight [O, C, k, k] (PyTorch's layout),
     * bias [O] or null; square kernel, one stride and zero padding for both axes.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, Activation act) {
        requireRank4("conv2d", x);
        if (weight.shape().rank() != 4 || weight.dim(2) != weight.dim(3)) {
            throw new IllegalArgumentException("conv2d: weight of shape " + weight.shape() + " must be [O, C, k, k]");
        }
        if (x.dim(1) != weight.dim(1)) {
            throw new IllegalArgumentException("conv2d: input of shape " + x.shape() + " has " + x.dim(1)
                    + " channels, the weight " + weight.shape() + " expects " + weight.dim(1));
        }
        if (bias != null && bias.size() != weight.dim(0)) {
            throw new IllegalArgumentException("conv2d: bias of shape " + bias.shape() + " for " + weight.dim(0) + " output channels");
        }
        if (x.backend() != weight.backend()) {
            throw new IllegalArgumentException("conv2d: input and weight live on different backends");
        }
        Conv2dGeometry g = new Conv2dGeometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), weight.dim(0), weight.dim(2),
                stride, padding);
        Backend be = x.backend();
        Tensor y = Tensor.empty(be, Shape.of(g.batch(), g.outChannels(), g.outHeight(), g.outWidth()));
        be.conv2d(g, x.buffer(), weight.buffer(), bias == null ? null : bias.buffer(), act, y.buffer());
        if (recording(x, weight, bias)) {
            Tensor[] inputs = bias == null ? new Tensor[]{x, weight} : new Tensor[]{x, weight, bias};
            record(y, "conv2d", inputs, g2 -> {
                Tensor dz = g2;
                if (act != Activation.IDENTITY) {
                    dz = like(y);
                    be.activationBackward(act, y.buffer(), g2.buffer(), dz.buffer(), y.size());
                }
                Tensor dx = x.requiresGrad() ? like(x) : null;
                Tensor dw = weight.requiresGrad() ? like(weight) : null;
                Tensor db = bias != null && bias.requiresGrad() ? like(bias) : null;
                be.conv2dBackward(g, dw == null ? null : x.buffer(), dx == null ? null : weight.buffer(), dz.buffer(),
                        dx == null ? null : dx.buffer(), dw == null ? null : dw.buffer(), db == null ? null : db.buffer());
                return bias == null ? new Tensor[]{dx, dw} : new Tensor[]{dx, dw, db};
            });
        }
        return y;
    }

    // ---------------------------------------------------------------- pooling

    private static Pool2dGeometry pool(String op, Tensor x, int kernel, int stride, int padding) {
        requireRank4(op, x);
        return new Pool2dGeometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), kernel, stride, padding);
    }

    /** Max pooling with a square window; the backward routes each gradient to its window's maximum. */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        Pool2dGeometry g = pool("max_pool2d", x, kernel, stride, padding);
        Backend be = x.backend();
        Tensor y = Tensor.empty(be, Shape.of(g.batch(), g.channels(), g.outHeight(), g.outWidth()));
        boolean grad = recording(x);
        Tensor indices = grad ? like(y) : null;
        be.maxPool2d(g, x.buffer(), y.buffer(), indices == null ? null : indices.buffer());
        if (grad) {
            record(y, "max_pool2d", new Tensor[]{x}, gy -> {
                Tensor dx = like(x);
                be.maxPool2dBackward(g, gy.buffer(), indices.buffer(), dx.buffer());
                return new Tensor[]{dx};
            });
        }
        return y;
    }

    /** Average pooling with a square window (count_include_pad, as PyTorch's default). */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        Pool2dGeometry g = pool("avg_pool2d", x, kernel, stride, padding);
        Backend be = x.backend();
        Tensor y = Tensor.empty(be, Shape.of(g.batch(), g.channels(), g.outHeight(), g.outWidth()));
        be.avgPool2d(g, x.buffer(), y.buffer());
        if (recording(x)) {
            record(y, "avg_pool2d", new Tensor[]{x}, gy -> {
                Tensor dx = like(x);
                be.avgPool2dBackward(g, gy.buffer(), dx.buffer());
                return new Tensor[]{dx};
            });
        }
        return y;
    }

    // ---------------------------------------------------------------- dropout

    /**
     * Inverted dropout: zeroes each element with probability p (mask drawn on the device from
     * {@code seed}) and scales the survivors by 1 / (1 - p). p == 0 returns x itself.
     */
    public static Tensor dropout(Tensor x, float p, long seed) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
        }
        if (p == 0f) {
            return x;
        }
        Backend be = x.backend();
        Tensor y = like(x);
        Tensor mask = like(x);
        be.dropout(x.buffer(), y.buffer(), mask.buffer(), x.size(), p, 1f / (1f - p), seed);
        if (recording(x)) {
            record(y, "dropout", new Tensor[]{x}, g -> {
                Tensor dx = like(x);
                be.binary(BinaryOp.MUL, g.buffer(), mask.buffer(), dx.buffer(), 1, x.size(), Broadcast.NONE);
                return new Tensor[]{dx};
            });
        }
        return y;
    }

    // ---------------------------------------------------------------- batch norm

    /**
     * Batch normalisation over dimension 1 of x ([N, C] or [N, C, H, W]), as
     * torch.nn.functional.batch_norm. In training mode it uses the batch statistics and updates
     * runningMean/runningVar (when not null) in place; in eval mode it uses the running statistics
     * (and records no gradient: use training mode to fine-tune through it).
     */
    public static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   boolean training, float momentum, float eps) {
        int rank = x.shape().rank();
        if (rank != 2 && rank != 4) {
            throw new IllegalArgumentException("batch_norm: input of shape " + x.shape() + " must be [N, C] or [N, C, H, W]");
        }
        int batch = x.dim(0);
        int channels = x.dim(1);
        int spatial = rank == 4 ? x.dim(2) * x.dim(3) : 1;
        if (gamma.size() != channels || beta.size() != channels) {
            throw new IllegalArgumentException("batch_norm: gamma " + gamma.shape() + " and beta " + beta.shape()
                    + " for " + channels + " channels");
        }
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException("batch_norm: eval mode needs running statistics");
        }
        if (training && batch * spatial < 2) {
            throw new IllegalArgumentException("batch_norm: training needs more than one value per channel, got input "
                    + x.shape());
        }
        Backend be = x.backend();
        Tensor y = like(x);
        Tensor mean = training ? Tensor.empty(be, channels) : null;
        Tensor invStd = training ? Tensor.empty(be, channels) : null;
        be.batchNorm(x.buffer(), gamma.buffer(), beta.buffer(), y.buffer(),
                mean == null ? null : mean.buffer(), invStd == null ? null : invStd.buffer(),
                runningMean == null ? null : runningMean.buffer(), runningVar == null ? null : runningVar.buffer(),
                batch, channels, spatial, training, momentum, eps);
        if (training && recording(x, gamma, beta)) {
            record(y, "batch_norm", new Tensor[]{x, gamma, beta}, g -> {
                Tensor dx = x.requiresGrad() ? like(x) : null;
                Tensor dg = gamma.requiresGrad() ? like(gamma) : null;
                Tensor db = beta.requiresGrad() ? like(beta) : null;
                be.batchNormBackward(x.buffer(), g.buffer(), gamma.buffer(), mean.buffer(), invStd.buffer(),
                        dx == null ? null : dx.buffer(), dg == null ? null : dg.buffer(), db == null ? null : db.buffer(),
                        batch, channels, spatial);
                return new Tensor[]{dx, dg, db};
            });
        }
        return y;
    }
}
