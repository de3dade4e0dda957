package dev.myelin.tensor;

import dev.myelin.backend.Backend;
import dev.myelin.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TensorTest {
    private final Backend cpu = new CpuBackend();

    @Test
    void valuesRoundTripAndShapesAreChecked() {
        try (var scope = Scope.open()) {
            Tensor t = Tensor.of(cpu, new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
            assertThat(t.toArray()).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(t.shape().rows()).isEqualTo(2);
            assertThat(t.shape().cols()).isEqualTo(3);
            assertThat(Tensor.scalar(cpu, 7f).item()).isEqualTo(7f);
            assertThatThrownBy(() -> Tensor.of(cpu, new float[5], 2, 3))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 3]").hasMessageContaining("5");
            assertThatThrownBy(t::item).isInstanceOf(IllegalStateException.class).hasMessageContaining("[2, 3]");
            assertThatThrownBy(() -> t.reshape(4, 2)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("[4, 2]");
        }
    }

    @Test
    void backwardNeedsALossAndARecordedGraph() {
        try (var scope = Scope.open()) {
            Tensor notALoss = Tensor.zeros(cpu, 3).requiresGrad(true);
            assertThatThrownBy(notALoss::backward).hasMessageContaining("one-element");
            Tensor constant = Tensor.zeros(cpu, 1);
            assertThatThrownBy(constant::backward).hasMessageContaining("does not require grad");
        }
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        try (var scope = Scope.open()) {
            Tensor w = Tensor.of(cpu, new float[]{1, 2}, 2).requiresGrad(true).keep();
            dev.myelin.autograd.Ops.sum(w).backward();
            dev.myelin.autograd.Ops.sum(w).backward();
            assertThat(w.grad().toArray()).containsExactly(2, 2);
            w.zeroGrad();
            assertThat(w.grad().toArray()).containsExactly(0, 0);
            w.close();
        }
    }

    @Test
    void aBackwardAfterZeroGradStartsFromZero() {
        try (var scope = Scope.open()) {
            Tensor w = Tensor.of(cpu, new float[]{1, 2}, 2).requiresGrad(true).keep();
            dev.myelin.autograd.Ops.sum(w).backward();
            dev.myelin.autograd.Ops.sum(w).backward();
            w.zeroGrad();
            // No grad() in between: the zeroing is deferred, and this backward must not add to the old 2s.
            dev.myelin.autograd.Ops.sum(w).backward();
            assertThat(w.grad().toArray()).containsExactly(1, 1);
            dev.myelin.autograd.Ops.sum(w).backward();
            assertThat(w.grad().toArray()).containsExactly(2, 2);
            w.close();
        }
    }

    @Test
    void aGradientHandedToTwoLeavesGivesEachItsOwnCopy() {
        // add's backward hands the same gradient tensor to both inputs: the first leaf takes it as its
        // gradient, the second must copy it, or the two gradients would share one buffer.
        Tensor a = Tensor.of(cpu, new float[]{1, 2}, 2).requiresGrad(true);
        Tensor b = Tensor.of(cpu, new float[]{3, 4}, 2).requiresGrad(true);
        for (int step = 0; step < 3; step++) {
            try (var scope = Scope.open()) {
                a.zeroGrad();
                b.zeroGrad();
                dev.myelin.autograd.Ops.sum(dev.myelin.autograd.Ops.add(a, b)).backward();
            }
            assertThat(a.grad().toArray()).containsExactly(1, 1);
            assertThat(b.grad().toArray()).containsExactly(1, 1);
            a.grad().backend().fill(a.grad().buffer(), 0, 2, 5f);
            assertThat(b.grad().toArray()).as("b's gradient after a's was overwritten").containsExactly(1, 1);
        }
        a.close();
        b.close();
        assertThat(cpu.memoryStats().bytesInUse()).isZero();
    }

    @Test
    void aGradientTakenOverFromTheStepOutlivesItsScopeAndIsReleasedWithTheLeaf() {
        Tensor w = Tensor.of(cpu, new float[]{1, 2}, 2).requiresGrad(true);
        for (int step = 0; step < 3; step++) {
            try (var scope = Scope.open()) {
                w.zeroGrad();
                dev.myelin.autograd.Ops.sum(dev.myelin.autograd.Ops.scale(w, 3f)).backward();
            }
            // The step's scope has closed: the gradient must still be readable.
            assertThat(w.grad().toArray()).containsExactly(3, 3);
        }
        long heldByW = cpu.memoryStats().bytesInUse();
        assertThat(heldByW).as("w and its gradient only").isEqualTo(2 * 2 * Float.BYTES);
        w.close();
        assertThat(cpu.memoryStats().bytesInUse()).isZero();
    }

    @Test
    void aSeedPassedToBackwardStaysTheCallers() {
        try (var scope = Scope.open()) {
            Tensor w = Tensor.of(cpu, new float[]{1, 2}, 2).requiresGrad(true);
            Tensor seed = Tensor.of(cpu, new float[]{4, 5}, 2);
            w.backward(seed);
            assertThat(w.grad().toArray()).containsExactly(4, 5);
            w.grad().backend().fill(w.grad().buffer(), 0, 2, 0f);
            assertThat(seed.toArray()).as("the caller's seed after w's gradient was overwritten").containsExactly(4, 5);
            w.close();
        }
    }

    @Test
    void noGradRecordsNothing() {
        try (var scope = Scope.open(); var noGrad = GradRecording.noGrad()) {
            Tensor w = Tensor.of(cpu, new float[]{1, 2}, 2).requiresGrad(true);
            Tensor y = dev.myelin.autograd.Ops.sum(w);
            assertThat(y.requiresGrad()).isFalse();
            assertThat(y.gradFn()).isNull();
        }
        assertThat(GradRecording.enabled()).isTrue();
    }
}
