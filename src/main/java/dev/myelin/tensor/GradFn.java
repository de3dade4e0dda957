package dev.myelin.tensor;

/**
 * The backward of one recorded op: given dL/d(output), the gradient for each input. Ops in
 * {@code dev.myelin.autograd} create these; {@link Tensor#backward()} walks them.
 */
public interface GradFn {
    /** The op's inputs, in the order {@link #backward} returns their gradients. */
    Tensor[] inputs();

    /**
     * Gradients for each input, in the current scope; null for an input that needs none
     * ({@link Tensor#requiresGrad()} false).
     */
    Tensor[] backward(Tensor gradOutput);

    /** The op's name, for error messages ("linear", "cross_entropy"). */
    String name();
}
