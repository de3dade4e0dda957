package dev.myelin.tensor;

import dev.myelin.backend.Backend;
import dev.myelin.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScopeTest {
    private final Backend cpu = new CpuBackend();

    @AfterEach
    void close() {
        cpu.close();
    }

    @Test
    void everyTensorMadeInAScopeIsReleasedWhenItCloses() {
        long before = cpu.memoryStats().bytesInUse();
        Tensor a;
        Tensor b;
        try (var scope = Scope.open()) {
            a = Tensor.zeros(cpu, 10, 10);
            b = Tensor.of(cpu, new float[]{1, 2, 3}, 3);
            assertThat(scope.size()).isEqualTo(2);
            assertThat(cpu.memoryStats().bytesInUse()).isEqualTo(before + 4L * (100 + 3));
        }
        assertThat(cpu.memoryStats().bytesInUse()).isEqualTo(before);
        assertThat(a.isReleased()).isTrue();
        assertThat(b.isReleased()).isTrue();
    }

    @Test
    void aKeptTensorOutlivesItsScope() {
        Tensor kept;
        try (var scope = Scope.open()) {
            Tensor.zeros(cpu, 4);
            kept = Tensor.of(cpu, new float[]{5, 6}, 2).keep();
            assertThat(scope.size()).isEqualTo(1);
        }
        assertThat(kept.toArray()).containsExactly(5, 6);
        kept.close();
        assertThat(cpu.memoryStats().bytesInUse()).isZero();
    }

    @Test
    void usingAReleasedTensorFailsWithAMessage() {
        Tensor t;
        try (var scope = Scope.open()) {
            t = Tensor.zeros(cpu, 2, 3);
        }
        assertThatThrownBy(t::toArray).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("[2, 3]").hasMessageContaining("keep()");
    }

    @Test
    void nestedScopesReleaseInnermostFirstAndRefuseOutOfOrderClose() {
        try (var outer = Scope.open()) {
            Tensor o = Tensor.zeros(cpu, 2);
            try (var inner = Scope.open()) {
                Tensor i = Tensor.zeros(cpu, 3);
                assertThat(inner.size()).isEqualTo(1);
                assertThat(outer.size()).isEqualTo(1);
                assertThatThrownBy(outer::close).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("innermost");
            }
            assertThat(o.isReleased()).isFalse();
        }
        assertThat(cpu.memoryStats().bytesInUse()).isZero();
    }

    @Test
    void aViewSharesItsBaseAndIsNotReleasedTwice() {
        try (var scope = Scope.open()) {
            Tensor base = Tensor.of(cpu, new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor view = base.reshape(3, -1);
            assertThat(view.shape()).isEqualTo(Shape.of(3, 2));
            assertThat(view.buffer()).isSameAs(base.buffer());
            view.close();
            assertThat(base.isReleased()).isFalse();
            assertThat(scope.size()).isEqualTo(1);
        }
        assertThat(cpu.memoryStats().bytesInUse()).isZero();
    }

    @Test
    void aStepInAScopeHoldsMemoryFlatAcrossManySteps() {
        long[] inUse = new long[2];
        for (int step = 0; step < 1000; step++) {
            try (var scope = Scope.open()) {
                Tensor x = Tensor.full(cpu, 1f, 32, 16);
                dev.myelin.autograd.Ops.relu(dev.myelin.autograd.Ops.add(x, x));
            }
            if (step == 10) {
                inUse[0] = cpu.memoryStats().bytesInUse() + cpu.memoryStats().bytesCached();
            }
        }
        inUse[1] = cpu.memoryStats().bytesInUse() + cpu.memoryStats().bytesCached();
        assertThat(inUse[1]).isEqualTo(inUse[0]);
        assertThat(cpu.memoryStats().bytesInUse()).isZero();
    }
}
