package dev.myelin.optim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LrScheduleTest {
    @Test
    void cosineStartsAtTheRateHalvesMidwayAndEndsNearZero() {
        LrSchedule s = LrSchedule.cosine(1e-3, 0);
        assertThat(s.at(0, 1000)).isCloseTo(1e-3, within(1e-12));
        assertThat(s.at(500, 1000)).isCloseTo(5e-4, within(1e-9));
        assertThat(s.at(999, 1000)).isLessThan(1e-8);
        assertThat(s.at(250, 1000)).isGreaterThan(s.at(251, 1000));
    }

    @Test
    void warmUpRisesLinearlyToTheRate() {
        LrSchedule s = LrSchedule.cosine(0.1, 10);
        assertThat(s.at(0, 100)).isCloseTo(0.01, within(1e-12));
        assertThat(s.at(4, 100)).isCloseTo(0.05, within(1e-12));
        assertThat(s.at(10, 100)).isCloseTo(0.1, within(1e-12));
    }

    @Test
    void namesAreParsedAndUnknownOnesRefused() {
        assertThat(LrSchedule.named("constant", 0.3, 0).at(77, 100)).isEqualTo(0.3);
        assertThat(LrSchedule.named("cosine", 0.3, 0).at(50, 100)).isCloseTo(0.15, within(1e-9));
        assertThatThrownBy(() -> LrSchedule.named("triangle", 0.3, 0)).hasMessageContaining("triangle");
    }
}
