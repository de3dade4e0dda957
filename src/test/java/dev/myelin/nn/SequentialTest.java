package dev.myelin.nn;

import dev.myelin.autograd.Ops;
import dev.myelin.backend.Backend;
import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.tensor.Scope;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SequentialTest {
    private final Backend cpu = new CpuBackend();

    @Test
    void parametersAreNamedAndShapedAsPyTorchStateDict() {
        try (var net = new Sequential(new Linear(cpu, 4, 3, new SplittableRandom(1)), new ReLU(),
                new Linear(cpu, 3, 2, new SplittableRandom(2)))) {
            assertThat(net.namedParameters().keySet()).containsExactly("0.weight", "0.bias", "2.weight", "2.bias");
            assertThat(net.namedParameters().get("0.weight").shape()).isEqualTo(Shape.of(3, 4));
            assertThat(net.namedParameters().get("2.bias").shape()).isEqualTo(Shape.of(2));
            assertThat(net.parameterCount()).isEqualTo(3 * 4 + 3 + 2 * 3 + 2);
        }
    }

    @Test
    void fusedLinearActivationMatchesTheUnfusedComputation() {
        Linear first = new Linear(cpu, 5, 4, new SplittableRandom(3));
        Linear second = new Linear(cpu, 4, 3, new SplittableRandom(4));
        // Non-zero biases so the fused bias path is exercised.
        Init.uniform(first.bias().data(), 0.5, new SplittableRandom(5));
        Sequential net = new Sequential(first, new Tanh(), second);
        float[] input = new float[2 * 5];
        var random = new SplittableRandom(6);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextDouble(-1, 1);
        }
        float[] fused;
        float[] fusedGrad;
        float[] plain;
        float[] plainGrad;
        try (var scope = Scope.open()) {
            Tensor x = Tensor.of(cpu, input, 2, 5);
            Ops.sum(net.forward(x)).backward();
            fused = net.forward(x).toArray();
            fusedGrad = first.weight().grad().toArray();
            first.weight().data().zeroGrad();
            first.bias().data().zeroGrad();
            second.weight().data().zeroGrad();
            second.bias().data().zeroGrad();
            Tensor h = Ops.tanh(Ops.add(Ops.matmul(x, transpose(first.weight().data())), first.bias().data()));
            Tensor y = second.forward(h);
            Ops.sum(y).backward();
            plain = y.toArray();
            plainGrad = first.weight().grad().toArray();
        }
        assertThat(fused).containsExactly(plain, within(1e-6f));
        assertThat(fusedGrad).containsExactly(plainGrad, within(1e-5f));
        net.close();
    }

    /** W^T as a new leaf that shares W's gradient path through matmul. */
    private Tensor transpose(Tensor w) {
        // Identity-weighted matmul would hide the layout; build W^T through linear on an identity input:
        // linear(I, W) = I W^T = W^T, and the gradient flows back into W.
        int in = w.dim(1);
        float[] eye = new float[in * in];
        for (int i = 0; i < in; i++) {
            eye[i * in + i] = 1f;
        }
        return Ops.linear(Tensor.of(cpu, eye, in, in), w, null, dev.myelin.backend.Activation.IDENTITY);
    }

    @Test
    void aWrongInputWidthNamesTheLayerAndTheShape() {
        try (var net = new Sequential(new Linear(cpu, 784, 10, new SplittableRandom(1)));
             var scope = Scope.open()) {
            assertThatThrownBy(() -> net.forward(Tensor.zeros(cpu, 8, 100)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Linear(784 -> 10)").hasMessageContaining("[8, 100]");
        }
    }

    @Test
    void evalAndTrainModesReachEverySubModule() {
        ReLU relu = new ReLU();
        Sequential net = new Sequential(new Sequential(relu));
        net.eval();
        assertThat(relu.isTraining()).isFalse();
        net.train(true);
        assertThat(relu.isTraining()).isTrue();
    }
}
