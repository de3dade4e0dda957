package dev.myelin.backend;

import dev.myelin.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StridedRangeTest {
    private final CpuBackend cpu = new CpuBackend();

    @Test
    void acceptsAViewThatEndsOnTheLastElement() {
        Buffer buffer = cpu.allocate(2 * 12 + 2 * 5 + 4);   // offset 1 + last batch 24 + last row 10 + 3 cols
        assertThatCode(() -> StridedRange.check("copy", buffer, 1, 12, 5, 3, 3, 3)).doesNotThrowAnyException();
        // Nothing to copy: nothing to check, whatever the offset.
        assertThatCode(() -> StridedRange.check("copy", buffer, 1_000, 12, 5, 0, 3, 3)).doesNotThrowAnyException();
        cpu.release(buffer);
    }

    @Test
    void namesTheOperandAndTheReachWhenOutside() {
        Buffer buffer = cpu.allocate(37);
        assertThatThrownBy(() -> StridedRange.check("copyStrided destination", buffer, 1, 12, 5, 3, 3, 4))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("copyStrided destination").hasMessageContaining("[1, 38]")
                .hasMessageContaining("37 floats");
        assertThatThrownBy(() -> StridedRange.check("copy", buffer, 2, -3, 1, 2, 1, 1))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("[-1, 2]");
        assertThatThrownBy(() -> StridedRange.check("copy", buffer, 0, 1, 1, -1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        cpu.release(buffer);
    }
}
