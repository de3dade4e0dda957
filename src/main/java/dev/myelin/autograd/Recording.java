package dev.myelin.autograd;

import dev.myelin.backend.Backend;
import dev.myelin.tensor.GradFn;
import dev.myelin.tensor.GradRecording;
import dev.myelin.tensor.Tensor;

/**
 * How a differentiable op records itself, shared by {@link Ops}, {@link ConvOps} and
 * {@link SequenceOps}: an op records a backward only while recording is on and one of its inputs
 * needs a gradient, and writes that backward as a lambda.
 */
final class Recording {
    private Recording() {
    }

    /** The backward of one op: gradients for its inputs, in order, given dL/d(output). */
    @FunctionalInterface
    interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    private record Recorded(String name, Tensor[] inputs, Backward backward) implements GradFn {
        @Override
        public Tensor[] backward(Tensor gradOutput) {
            return backward.apply(gradOutput);
        }
    }

    /** Whether an op on these inputs (nulls allowed) must record its backward. */
    static boolean recording(Tensor... inputs) {
        if (!GradRecording.enabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    static void record(Tensor output, String name, Tensor[] inputs, Backward backward) {
        output.setGradFn(new Recorded(name, inputs, backward));
    }

    /** A new tensor of t's shape on t's backend, in the current scope, contents undefined. */
    static Tensor like(Tensor t) {
        return Tensor.empty(t.backend(), t.shape());
    }

    /** Fails, naming the op, when the (non-null) operands live on different backends. */
    static void requireSameBackend(String op, Tensor... tensors) {
        Backend be = null;
        for (Tensor t : tensors) {
            if (t == null) {
                continue;
            }
            if (be == null) {
                be = t.backend();
            } else if (t.backend() != be) {
                throw new IllegalArgumentException(op + ": operands live on different backends (" + be.kind().id()
                        + " and " + t.backend().kind().id() + ")");
            }
        }
    }
}
