package dev.myelin.autograd;

import dev.myelin.backend.Activation;
import dev.myelin.backend.Backend;
import dev.myelin.backend.BinaryOp;
import dev.myelin.backend.Broadcast;
import dev.myelin.backend.ReduceOp;
import dev.myelin.tensor.GradFn;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

import static dev.myelin.autograd.Recording.like;
import static dev.myelin.autograd.Recording.record;
import static dev.myelin.autograd.Recording.recording;
import static dev.myelin.autograd.Recording.requireSameBackend;

/**
 * The differentiable ops, in the manner of torch.nn.functional: each one runs its forward as backend
 * ops and, when an input needs a gradient, records on its output a {@link GradFn} whose backward is
 * backend ops too, so a backward pass never leaves the device.
 *
 * <p>Tensors are seen as matrices [rows, cols] with cols the last dimension.
 */
public final class Ops {
    private Ops() {
    }

    private static Tensor[] grads(Tensor... grads) {
        return grads;
    }

    // ---------------------------------------------------------------- matrix products

    /** C = A B for A [m, k] and B [k, n]. */
    public static Tensor matmul(Tensor a, Tensor b) {
        requireSameBackend("matmul", a, b);
        if (a.shape().rank() != 2 || b.shape().rank() != 2 || a.dim(1) != b.dim(0)) {
            throw new IllegalArgumentException("matmul: shapes " + a.shape() + " and " + b.shape() + " do not multiply");
        }
        int m = a.dim(0);
        int k = a.dim(1);
        int n = b.dim(1);
        Backend be = a.backend();
        Tensor c = Tensor.empty(be, m, n);
        be.gemm(false, false, m, n, k, 1f, a.buffer(), b.buffer(), 0f, c.buffer());
        if (recording(a, b)) {
            record(c, "matmul", new Tensor[]{a, b}, g -> {
                Tensor da = null;
                Tensor db = null;
                if (a.requiresGrad()) {
                    da = Tensor.empty(be, m, k);
                    be.gemm(false, true, m, k, n, 1f, g.buffer(), b.buffer(), 0f, da.buffer());
                }
                if (b.requiresGrad()) {
                    db = Tensor.empty(be, k, n);
                    be.gemm(true, false, k, n, m, 1f, a.buffer(), g.buffer(), 0f, db.buffer());
                }
                return grads(da, db);
            });
        }
        return c;
    }

    /**
     * y = act(x W^T + b), the fused dense layer: x [rows, in] (any leading shape), W [out, in] as
     * PyTorch stores it, b [out] or null.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias, Activation act) {
        requireSameBackend("linear", x, weight);
        int out = weight.dim(0);
        int in = weight.dim(1);
        if (x.shape().cols() != in) {
            throw new IllegalArgumentException("linear: input of shape " + x.shape() + " has " + x.shape().cols()
                    + " features, the weight " + weight.shape() + " expects " + in);
        }
        if (bias != null && (bias.size() != out)) {
            throw new IllegalArgumentException("linear: bias of shape " + bias.shape() + " for " + out + " outputs");
        }
        int rows = x.shape().rows();
        Backend be = x.backend();
        int[] outDims = x.shape().dims();
        outDims[outDims.length - 1] = out;
        Tensor y = Tensor.empty(be, Shape.of(outDims));
        be.gemm(false, true, rows, out, in, 1f, x.buffer(), weight.buffer(), 0f, y.buffer());
        if (bias != null || act != Activation.IDENTITY) {
            be.biasActivation(y.buffer(), bias == null ? null : bias.buffer(), act, y.buffer(), rows, out);
        }
        if (recording(x, weight, bias)) {
            Tensor[] inputs = bias == null ? new Tensor[]{x, weight} : new Tensor[]{x, weight, bias};
            record(y, "linear", inputs, g -> {
                Tensor dz = g;
                if (act != Activation.IDENTITY) {
                    dz = like(y);
                    be.activationBackward(act, y.buffer(), g.buffer(), dz.buffer(), y.size());
                }
                Tensor dx = null;
                Tensor dw = null;
                Tensor db = null;
                if (x.requiresGrad()) {
                    dx = like(x);
                    be.gemm(false, false, rows, in, out, 1f, dz.buffer(), weight.buffer(), 0f, dx.buffer());
                }
                if (weight.requiresGrad()) {
                    dw = like(weight);
                    be.gemm(true, false, out, in, rows, 1f, dz.buffer(), x.buffer(), 0f, dw.buffer());
                }
                if (bias != null && bias.requiresGrad()) {
                    db = like(bias);
                    be.reduce(ReduceOp.SUM, dz.buffer(), db.buffer(), rows, out, 0);
                }
                return bias == null ? grads(dx, dw) : grads(dx, dw, db);
            });
        }
        return y;
    }

    // ---------------------------------------------------------------- element-wise

    /** An activation, y = act(x). */
    public static Tensor activation(Tensor x, Activation act) {
        Backend be = x.backend();
        Tensor y = like(x);
        be.biasActivation(x.buffer(), null, act, y.buffer(), x.shape().rows(), x.shape().cols());
        if (recording(x)) {
            record(y, act.name().toLowerCase(java.util.Locale.ROOT), new Tensor[]{x}, g -> {
                Tensor dx = like(x);
                be.activationBackward(act, y.buffer(), g.buffer(), dx.buffer(), x.size());
                return grads(dx);
            });
        }
        return y;
    }

    public static Tensor relu(Tensor x) {
        return activation(x, Activation.RELU);
    }

    public static Tensor sigmoid(Tensor x) {
        return activation(x, Activation.SIGMOID);
    }

    public static Tensor tanh(Tensor x) {
        return activation(x, Activation.TANH);
    }

    /**
     * How b lines up with a [rows, cols]: same shape, a row [cols] (rank 1), a column [rows, 1], or a
     * single value.
     */
    static Broadcast broadcastOf(String op, Tensor a, Tensor b) {
        Shape as = a.shape();
        Shape bs = b.shape();
        if (as.equals(bs)) {
            return Broadcast.NONE;
        }
        if (bs.size() == 1) {
            return Broadcast.SCALAR;
        }
        if (bs.rank() == 1 && bs.dim(0) == as.cols()) {
            return Broadcast.ROW;
        }
        if (bs.rank() == as.rank() && bs.cols() == 1 && bs.rows() == as.rows()) {
            return Broadcast.COLUMN;
        }
        throw new IllegalArgumentException(op + ": cannot broadcast " + bs + " against " + as
                + " (supported: same shape, a row [" + as.cols() + "], a column [" + as.rows() + ", 1], or one value)");
    }

    /** Sums a gradient of a's shape down to b's layout. */
    private static Tensor reduceTo(Tensor g, Tensor b, Broadcast broadcast) {
        Backend be = g.backend();
        int rows = g.shape().rows();
        int cols = g.shape().cols();
        return switch (broadcast) {
            case NONE -> g;
            case ROW -> {
                Tensor out = like(b);
                be.reduce(ReduceOp.SUM, g.buffer(), out.buffer(), rows, cols, 0);
                yield out;
            }
            case COLUMN -> {
                Tensor out = like(b);
                be.reduce(ReduceOp.SUM, g.buffer(), out.buffer(), rows, cols, 1);
                yield out;
            }
            case SCALAR -> {
                Tensor out = like(b);
                be.reduce(ReduceOp.SUM, g.buffer(), out.buffer(), 1, g.size(), 1);
                yield out;
            }
        };
    }

    private static Tensor binary(String name, BinaryOp op, Tensor a, Tensor b) {
        requireSameBackend(name, a, b);
        Broadcast broadcast = broadcastOf(name, a, b);
        Backend be = a.backend();
        Tensor out = like(a);
        be.binary(op, a.buffer(), b.buffer(), out.buffer(), a.shape().rows(), a.shape().cols(), broadcast);
        if (recording(a, b)) {
            int rows = a.shape().rows();
            int cols = a.shape().cols();
            record(out, name, new Tensor[]{a, b}, g -> {
                Tensor da = null;
                Tensor db = null;
                switch (op) {
                    case ADD -> {
                        da = a.requiresGrad() ? g : null;
                        db = b.requiresGrad() ? reduceTo(g, b, broadcast) : null;
                    }
                    case SUB -> {
                        da = a.requiresGrad() ? g : null;
                        if (b.requiresGrad()) {
                            Tensor summed = reduceTo(g, b, broadcast);
                            db = summed == g ? like(b) : summed;
                            be.axpby(-1f, summed.buffer(), 0f, db.buffer(), db.size());
                        }
                    }
                    case MUL -> {
                        if (a.requiresGrad()) {
                            da = like(a);
                            be.binary(BinaryOp.MUL, g.buffer(), b.buffer(), da.buffer(), rows, cols, broadcast);
                        }
                        if (b.requiresGrad()) {
                            Tensor ga = like(a);
                            be.binary(BinaryOp.MUL, g.buffer(), a.buffer(), ga.buffer(), rows, cols, Broadcast.NONE);
                            db = reduceTo(ga, b, broadcast);
                        }
                    }
                    default -> throw new UnsupportedOperationException("no gradient for " + op);
                }
                return grads(da, db);
            });
        }
        return out;
    }

    public static Tensor add(Tensor a, Tensor b) {
        return binary("add", BinaryOp.ADD, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        return binary("sub", BinaryOp.SUB, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        return binary("mul", BinaryOp.MUL, a, b);
    }

    /** alpha * x. */
    public static Tensor scale(Tensor x, float alpha) {
        Backend be = x.backend();
        Tensor y = like(x);
        be.axpby(alpha, x.buffer(), 0f, y.buffer(), x.size());
        if (recording(x)) {
            record(y, "scale", new Tensor[]{x}, g -> {
                Tensor dx = like(x);
                be.axpby(alpha, g.buffer(), 0f, dx.buffer(), x.size());
                return grads(dx);
            });
        }
        return y;
    }

    // ---------------------------------------------------------------- reductions

    /** Sum of every element, as a one-element tensor. */
    public static Tensor sum(Tensor x) {
        return total(x, ReduceOp.SUM, "sum");
    }

    /** Mean of every element, as a one-element tensor. */
    public static Tensor mean(Tensor x) {
        return total(x, ReduceOp.MEAN, "mean");
    }

    private static Tensor total(Tensor x, ReduceOp op, String name) {
        Backend be = x.backend();
        Tensor out = Tensor.empty(be, Shape.of());
        be.reduce(op, x.buffer(), out.buffer(), 1, x.size(), 1);
        if (recording(x)) {
            float factor = op == ReduceOp.MEAN ? 1f / x.size() : 1f;
            record(out, name, new Tensor[]{x}, g -> grads(spread(g, x, factor)));
        }
        return out;
    }

    /** A tensor shaped like {@code like} holding factor * g[0] everywhere. */
    private static Tensor spread(Tensor g, Tensor like, float factor) {
        Backend be = g.backend();
        Tensor out = like(like);
        be.fill(out.buffer(), 0, out.size(), factor);
        be.binary(BinaryOp.MUL, out.buffer(), g.buffer(), out.buffer(), 1, out.size(), Broadcast.SCALAR);
        return out;
    }

    // ---------------------------------------------------------------- softmax and losses

    /** Softmax along the last axis. */
    public static Tensor softmax(Tensor x) {
        Backend be = x.backend();
        int rows = x.shape().rows();
        int cols = x.shape().cols();
        Tensor y = like(x);
        be.softmax(x.buffer(), y.buffer(), rows, cols);
        if (recording(x)) {
            record(y, "softmax", new Tensor[]{x}, g -> {
                // dx = y * (g - sum(g * y)) row by row.
                Tensor gy = like(x);
                be.binary(BinaryOp.MUL, g.buffer(), y.buffer(), gy.buffer(), rows, cols, Broadcast.NONE);
                Tensor dot = Tensor.empty(be, rows);
                be.reduce(ReduceOp.SUM, gy.buffer(), dot.buffer(), rows, cols, 1);
                Tensor dx = like(x);
                be.binary(BinaryOp.SUB, g.buffer(), dot.buffer(), dx.buffer(), rows, cols, Broadcast.COLUMN);
                be.binary(BinaryOp.MUL, dx.buffer(), y.buffer(), dx.buffer(), rows, cols, Broadcast.NONE);
                return grads(dx);
            });
        }
        return y;
    }

    /**
     * Mean cross-entropy of softmax(logits) against class labels, fused: logits [rows, classes],
     * labels [rows] holding class indices as floats. The result is a one-element tensor.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor labels) {
        requireSameBackend("cross_entropy", logits, labels);
        int rows = logits.shape().rows();
        int cols = logits.shape().cols();
        if (labels.size() != rows) {
            throw new IllegalArgumentException("cross_entropy: " + labels.size() + " labels for " + rows
                    + " rows of logits " + logits.shape());
        }
        Backend be = logits.backend();
        Tensor probs = like(logits);
        Tensor losses = Tensor.empty(be, rows);
        be.softmaxCrossEntropy(logits.buffer(), labels.buffer(), probs.buffer(), losses.buffer(), rows, cols);
        Tensor loss = Tensor.empty(be, Shape.of());
        be.reduce(ReduceOp.MEAN, losses.buffer(), loss.buffer(), 1, rows, 1);
        if (recording(logits)) {
            record(loss, "cross_entropy", new Tensor[]{logits}, g -> {
                Tensor dlogits = like(logits);
                be.softmaxCrossEntropyBackward(probs.buffer(), labels.buffer(), dlogits.buffer(), rows, cols, 1f / rows);
                be.binary(BinaryOp.MUL, dlogits.buffer(), g.buffer(), dlogits.buffer(), rows, cols, Broadcast.SCALAR);
                return grads(dlogits);
            });
        }
        return loss;
    }

    /** Mean squared error, mean((prediction - target)^2), as a one-element tensor. */
    public static Tensor mse(Tensor prediction, Tensor target) {
        if (!prediction.shape().equals(target.shape())) {
            throw new IllegalArgumentException("mse: prediction " + prediction.shape() + " and target " + target.shape()
                    + " differ in shape");
        }
        Tensor difference = sub(prediction, target);
        return mean(mul(difference, difference));
    }
}
