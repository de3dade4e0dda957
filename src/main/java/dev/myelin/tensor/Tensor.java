package dev.myelin.tensor;

import dev.myelin.backend.Backend;
import dev.myelin.backend.Buffer;

import java.util.Arrays;

/**
 * A float32, contiguous, row-major array on one backend, with an optional gradient.
 *
 * <p>Lifetime is explicit: a tensor made inside a {@link Scope} is released when the scope closes;
 * one made outside every scope (a parameter, optimizer state) belongs to whoever made it and is
 * released by {@link #close()}. Reshaping gives a view that shares the buffer and is never released
 * on its own.
 *
 * <p>Differentiable ops live in {@code dev.myelin.autograd}; they set {@link #gradFn} on their outputs,
 * and {@link #backward()} walks those records.
 */
public final class Tensor implements AutoCloseable {
    private final Backend backend;
    private final Buffer buffer;
    private final Shape shape;
    /** The tensor whose buffer a view shares; null when this tensor owns its buffer. */
    private final Tensor base;
    private Scope scope;
    private boolean released;

    private boolean requiresGrad;
    private Tensor grad;
    /**
     * True when {@link #zeroGrad()} has run since grad's buffer was last written: the buffer's values
     * count as zero. Zeroing is deferred so that the next backward pass can overwrite the buffer
     * instead of filling it and then adding to it (for W4's 20M parameters, 80 MB less to write
     * and 80 MB less to read per step); {@link #grad()} fills it if anyone looks first.
     */
    private boolean gradIsZero;
    private GradFn gradFn;

    private Tensor(Backend backend, Buffer buffer, Shape shape, Tensor base) {
        this.backend = backend;
        this.buffer = buffer;
        this.shape = shape;
        this.base = base;
    }

    // ---------------------------------------------------------------- creation

    /** A tensor with undefined contents, owned by the current scope when one is open. */
    public static Tensor empty(Backend backend, Shape shape) {
        Tensor tensor = new Tensor(backend, backend.allocate(shape.size()), shape, null);
        Scope scope = Scope.current();
        if (scope != null) {
            tensor.scope = scope;
            scope.add(tensor);
        }
        return tensor;
    }

    public static Tensor empty(Backend backend, int... dims) {
        return empty(backend, Shape.of(dims));
    }

    /** A tensor outside every scope: its creator releases it with {@link #close()}. */
    public static Tensor owned(Backend backend, Shape shape) {
        return new Tensor(backend, backend.allocate(shape.size()), shape, null);
    }

    public static Tensor zeros(Backend backend, int... dims) {
        return full(backend, 0f, dims);
    }

    public static Tensor full(Backend backend, float value, int... dims) {
        Tensor tensor = empty(backend, Shape.of(dims));
        backend.fill(tensor.buffer, 0, tensor.size(), value);
        return tensor;
    }

    /** Copies {@code data} (exactly as many values as the shape holds) to a new tensor. */
    public static Tensor of(Backend backend, float[] data, int... dims) {
        Shape shape = Shape.of(dims);
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("shape " + shape + " holds " + shape.size()
                    + " values but " + data.length + " were given");
        }
        Tensor tensor = empty(backend, shape);
        backend.upload(data, 0, tensor.buffer, 0, data.length);
        return tensor;
    }

    public static Tensor scalar(Backend backend, float value) {
        return of(backend, new float[]{value});
    }

    // ---------------------------------------------------------------- accessors

    public Backend backend() {
        return backend;
    }

    /** The backing buffer, for ops. Fails if the tensor was released (its scope closed). */
    public Buffer buffer() {
        Tensor owner = base == null ? this : base;
        if (owner.released) {
            throw new IllegalStateException("tensor " + shape + " used after it was released"
                    + " (its scope closed; call keep() on tensors that must outlive a scope)");
        }
        return buffer;
    }

    public Shape shape() {
        return shape;
    }

    public int size() {
        return shape.size();
    }

    public int dim(int axis) {
        return shape.dim(axis);
    }

    public boolean isReleased() {
        return (base == null ? this : base).released;
    }

    // ---------------------------------------------------------------- reading values (these wait for the device)

    public float[] toArray() {
        float[] out = new float[size()];
        backend.download(buffer(), 0, out, 0, out.length);
        return out;
    }

    /** The value of a one-element tensor. */
    public float item() {
        if (size() != 1) {
            throw new IllegalStateException("item() needs a tensor of one element, got shape " + shape);
        }
        float[] out = new float[1];
        backend.download(buffer(), 0, out, 0, 1);
        return out[0];
    }

    // ---------------------------------------------------------------- views and lifetime

    /** The same data seen with another shape of the same size; free (no copy). -1 infers one dimension. */
    public Tensor reshape(int... dims) {
        int[] resolved = dims.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < resolved.length; i++) {
            if (resolved[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape " + shape + " to " + Arrays.toString(dims) + ": only one -1 allowed");
                }
                infer = i;
            } else {
                known *= resolved[i];
            }
        }
        if (infer >= 0 && known > 0) {
            resolved[infer] = (int) (size() / known);
        }
        Shape target = Shape.of(resolved);
        if (target.size() != size()) {
            throw new IllegalArgumentException("cannot reshape " + shape + " (" + size() + " elements) to "
                    + Arrays.toString(dims));
        }
        Tensor view = new Tensor(backend, buffer(), target, base == null ? this : base);
        view.requiresGrad = requiresGrad;
        if (requiresGrad && GradRecording.enabled()) {
            Tensor source = this;
            view.gradFn = new GradFn() {
                @Override
                public Tensor[] inputs() {
                    return new Tensor[]{source};
                }

                @Override
                public Tensor[] backward(Tensor gradOutput) {
                    return new Tensor[]{gradOutput.reshape(source.shape.dims())};
                }

                @Override
                public String name() {
                    return "reshape";
                }
            };
        }
        return view;
    }

    /** Takes this tensor out of its scope: it survives the scope, and its caller releases it. */
    public Tensor keep() {
        if (base != null) {
            base.keep();
        } else if (scope != null) {
            scope.remove(this);
            scope = null;
        }
        return this;
    }

    /** Releases the buffer of a tensor that is not in a scope (and its gradient). Views do nothing. */
    @Override
    public void close() {
        if (base != null || released) {
            return;
        }
        if (scope != null) {
            scope.remove(this);
            scope = null;
        }
        released = true;
        backend.release(buffer);
        if (grad != null) {
            grad.close();
            grad = null;
            gradIsZero = false;
        }
    }

    void releaseFromScope() {
        if (!released) {
            released = true;
            backend.release(buffer);
        }
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor (a parameter) as one whose gradient {@link #backward()} accumulates. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) {
            throw new IllegalStateException("cannot turn off requiresGrad on the output of " + gradFn.name());
        }
        this.requiresGrad = value;
        return this;
    }

    /** The accumulated gradient of a leaf, or null before the first backward. Owned by this tensor. */
    public Tensor grad() {
        if (gradIsZero) {
            backend.fill(grad.buffer, 0, size(), 0f);
            gradIsZero = false;
        }
        return grad;
    }

    public GradFn gradFn() {
        return gradFn;
    }

    /** Records how this tensor was computed; called by differentiable ops on their outputs. */
    public void setGradFn(GradFn gradFn) {
        this.gradFn = gradFn;
        this.requiresGrad = true;
    }

    /**
     * Adds {@code g} into this leaf's gradient, creating it (outside every scope, owned by this
     * tensor) on first use.
     *
     * <p>Where the gradient counts as zero and {@code adoptable} says nothing else owns g, g itself
     * becomes the gradient: it leaves its scope and the former gradient's buffer goes back to the
     * backend. Copying it instead cost W4 (784-4096-4096-10) 14 ms of a 228 ms step, 80 MB read and
     * written. g qualifies only while it is still in a scope and owns its buffer, so a gradient that
     * an op handed to two leaves (an add's) is adopted by the first and copied by the second.
     */
    void accumulateGrad(Tensor g, boolean adoptable) {
        boolean empty = grad == null || gradIsZero;
        if (empty && adoptable && g.base == null && g.scope != null && !g.released && g.backend == backend) {
            g.keep();
            if (grad != null) {
                grad.close();
            }
            grad = g;
            gradIsZero = false;
        } else if (grad == null) {
            grad = owned(backend, shape);
            backend.copy(g.buffer(), 0, grad.buffer, 0, size());
        } else if (gradIsZero) {
            backend.copy(g.buffer(), 0, grad.buffer, 0, size());
            gradIsZero = false;
        } else {
            backend.axpby(1f, g.buffer(), 1f, grad.buffer, size());
        }
    }

    /** Sets the gradient to zero (keeps its buffer). */
    public void zeroGrad() {
        if (grad != null) {
            gradIsZero = true;
        }
    }

    /** Backpropagates from this one-element tensor (a loss): d(this)/d(this) = 1. */
    public void backward() {
        if (size() != 1) {
            throw new IllegalStateException("backward() needs a one-element tensor (a loss), got shape " + shape
                    + "; use backward(gradient) for others");
        }
        Backprop.run(this, null);
    }

    /** Backpropagates with the given gradient of this tensor (same shape). */
    public void backward(Tensor gradient) {
        if (!gradient.shape.equals(shape)) {
            throw new IllegalArgumentException("gradient of shape " + gradient.shape + " for a tensor of shape " + shape);
        }
        Backprop.run(this, gradient);
    }

    @Override
    public String toString() {
        return "Tensor" + shape + "@" + backend.kind().id() + (requiresGrad ? " requiresGrad" : "");
    }
}
