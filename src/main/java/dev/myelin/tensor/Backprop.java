package dev.myelin.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Collections;

/**
 * Reverse-mode differentiation over the records ops left on their outputs: a topological order of the
 * graph from the root, then each op's backward in reverse, summing gradients where a tensor feeds
 * several ops. Leaves (tensors with requiresGrad and no record) accumulate into their own grad.
 */
final class Backprop {
    private Backprop() {
    }

    static void run(Tensor root, Tensor seed) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward() on a tensor that does not require grad: nothing recorded how it "
                    + "was computed (are the parameters marked requiresGrad, and is gradient recording on?)");
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed != null ? seed : Tensor.full(root.backend(), 1f, root.shape().dims()));
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor node = order.get(i);
            Tensor g = grads.remove(node);
            if (g == null) {
                continue;
            }
            GradFn fn = node.gradFn();
            if (fn == null) {
                // A seed the caller passed in stays the caller's; every other gradient is this pass's own.
                node.accumulateGrad(g, g != seed);
                continue;
            }
            Tensor[] inputs = fn.inputs();
            Tensor[] inputGrads = fn.backward(g);
            for (int k = 0; k < inputs.length; k++) {
                Tensor input = inputs[k];
                Tensor ig = inputGrads[k];
                if (ig == null || !input.requiresGrad()) {
                    continue;
                }
                if (!ig.shape().equals(input.shape())) {
                    throw new IllegalStateException("backward of " + fn.name() + " produced a gradient of shape "
                            + ig.shape() + " for an input of shape " + input.shape());
                }
                Tensor existing = grads.get(input);
                if (existing == null) {
                    grads.put(input, ig);
                } else {
                    input.backend().axpby(1f, ig.buffer(), 1f, existing.buffer(), ig.size());
                }
            }
        }
    }

    /** Inputs before the ops that use them; iterative so that long chains (RNNs) cannot overflow the stack. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[]{root, 0});
        visited.add(root);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Tensor[] inputs = t.gradFn() == null ? new Tensor[0] : t.gradFn().inputs();
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor input = inputs[next];
                if (input.requiresGrad() && visited.add(input)) {
                    stack.push(new Object[]{input, 0});
                }
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
