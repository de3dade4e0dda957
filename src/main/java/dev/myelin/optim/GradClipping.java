package dev.myelin.optim;

import dev.myelin.backend.Backend;
import dev.myelin.backend.BinaryOp;
import dev.myelin.backend.Broadcast;
import dev.myelin.backend.ReduceOp;
import dev.myelin.backend.UnaryOp;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

import java.util.List;

/**
 * Gradient clipping by global norm, as torch.nn.utils.clip_grad_norm_: with total = the L2 norm of
 * every gradient together, each gradient is multiplied by min(1, maxNorm / (total + 1e-6)). Everything
 * runs on the device (squares, sums, the clip factor), so clipping adds no host synchronisation;
 * {@link #lastNorm()} reads the norm when asked.
 */
public final class GradClipping implements AutoCloseable {
    private final List<Parameter> parameters;
    private final float maxNorm;
    private final Backend backend;
    /** [0] total squared norm, then the clip factor; [1] a per-gradient partial sum. */
    private final Tensor total;
    private final Tensor partial;
    private final Tensor constants;
    private Tensor scratch;

    public GradClipping(List<Parameter> parameters, float maxNorm) {
        if (!(maxNorm > 0) || Float.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("gradient clipping needs a positive max norm, got " + maxNorm);
        }
        this.parameters = List.copyOf(parameters);
        this.maxNorm = maxNorm;
        this.backend = parameters.get(0).data().backend();
        this.total = Tensor.owned(backend, Shape.of(1));
        this.partial = Tensor.owned(backend, Shape.of(1));
        this.constants = Tensor.owned(backend, Shape.of(3));
        backend.upload(new float[]{maxNorm, 1e-6f, 1f}, 0, constants.buffer(), 0, 3);
    }

    public float maxNorm() {
        return maxNorm;
    }

    /** Scales the gradients in place so that their global norm is at most maxNorm. */
    public void clip() {
        int largest = 0;
        for (Parameter p : parameters) {
            if (p.grad() != null) {
                largest = Math.max(largest, p.size());
            }
        }
        if (largest == 0) {
            return;
        }
        if (scratch == null || scratch.size() < largest) {
            if (scratch != null) {
                scratch.close();
            }
            scratch = Tensor.owned(backend, Shape.of(largest));
        }
        backend.fill(total.buffer(), 0, 1, 0f);
        for (Parameter p : parameters) {
            Tensor g = p.grad();
            if (g == null) {
                continue;
            }
            backend.unary(UnaryOp.SQUARE, g.buffer(), scratch.buffer(), g.size());
            backend.reduce(ReduceOp.SUM, scratch.buffer(), partial.buffer(), 1, g.size(), 1);
            backend.axpby(1f, partial.buffer(), 1f, total.buffer(), 1);
        }
        // partial = sqrt(total) is the norm, kept for lastNorm(); factor = min(1, maxNorm / (norm + 1e-6)).
        backend.unary(UnaryOp.SQRT, total.buffer(), partial.buffer(), 1);
        backend.copy(partial.buffer(), 0, scratch.buffer(), 0, 1);
        backend.copy(constants.buffer(), 1, total.buffer(), 0, 1);
        backend.binary(BinaryOp.ADD, scratch.buffer(), total.buffer(), scratch.buffer(), 1, 1, Broadcast.SCALAR);
        backend.copy(constants.buffer(), 0, total.buffer(), 0, 1);
        backend.binary(BinaryOp.DIV, total.buffer(), scratch.buffer(), total.buffer(), 1, 1, Broadcast.SCALAR);
        backend.copy(constants.buffer(), 2, scratch.buffer(), 0, 1);
        backend.binary(BinaryOp.MIN, total.buffer(), scratch.buffer(), total.buffer(), 1, 1, Broadcast.SCALAR);
        for (Parameter p : parameters) {
            Tensor g = p.grad();
            if (g != null) {
                backend.binary(BinaryOp.MUL, g.buffer(), total.buffer(), g.buffer(), 1, g.size(), Broadcast.SCALAR);
            }
        }
    }

    /** The global gradient norm measured by the last {@link #clip()} (before clipping); waits for the device. */
    public float lastNorm() {
        return partial.item();
    }

    @Override
    public void close() {
        total.close();
        partial.close();
        constants.close();
        if (scratch != null) {
            scratch.close();
        }
    }
}
