package dev.myelin.optim;

import dev.myelin.autograd.Ops;
import dev.myelin.backend.Backend;
import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Adadelta against torch's update rule, the LR schedules' values, and gradient clipping by global norm. */
class TrainingControlOptimTest {
    private final Backend cpu = new CpuBackend();

    private Parameter withGrad(float[] values, float[] grad) {
        Parameter p = new Parameter(Tensor.of(cpu, values.clone(), values.length));
        Ops.sum(Ops.mul(p.data(), Tensor.of(cpu, grad, grad.length))).backward();
        return p;
    }

    @Test
    void adadeltaFollowsTorch() {
        float[] start = {0.5f, -1.5f, 2f};
        float[][] grads = {{0.1f, -0.2f, 0.3f}, {-0.4f, 0.5f, 0.05f}, {0.2f, 0.2f, -0.6f}};
        Parameter p = withGrad(start, grads[0]);
        double lr = 1.0, rho = 0.9, eps = 1e-6, wd = 0.01;
        double[] ref = {start[0], start[1], start[2]};
        double[] sq = new double[3];
        double[] acc = new double[3];
        try (Adadelta opt = new Adadelta(List.of(p), 1.0f, 0.9f, 1e-6f, 0.01f)) {
            for (int t = 0; t < 3; t++) {
                cpu.upload(grads[t], 0, p.grad().buffer(), 0, 3);
                opt.step();
                for (int i = 0; i < 3; i++) {
                    double g = grads[t][i] + wd * ref[i];
                    sq[i] = rho * sq[i] + (1 - rho) * g * g;
                    double delta = Math.sqrt(acc[i] + eps) / Math.sqrt(sq[i] + eps) * g;
                    acc[i] = rho * acc[i] + (1 - rho) * delta * delta;
                    ref[i] -= lr * delta;
                }
            }
            float[] got = p.data().toArray();
            for (int i = 0; i < 3; i++) {
                assertThat((double) got[i]).isCloseTo(ref[i], within(1e-5));
            }
        }
    }

    @Test
    void adamWDecaysDecoupled() {
        Parameter p = withGrad(new float[]{1f}, new float[]{0f});
        try (Adam opt = AdamW.create(List.of(p), 0.1f, 0.5f)) {
            opt.step();
            // Zero gradient: Adam's step is 0, only the decoupled decay p -= lr * wd * p acts.
            assertThat(p.data().toArray()[0]).isCloseTo(1f - 0.1f * 0.5f, within(1e-6f));
        }
    }

    @Test
    void stepLrDecaysPerStepSizeEpochs() {
        // A run of 6 epochs of 10 steps each, gamma 0.7 every 2 epochs.
        LrSchedule s = LrSchedule.step(1.0, 6, 2, 0.7);
        assertThat(s.at(5, 60)).isEqualTo(1.0);
        assertThat(s.at(19, 60)).isEqualTo(1.0);
        assertThat(s.at(20, 60)).isCloseTo(0.7, within(1e-12));
        assertThat(s.at(59, 60)).isCloseTo(0.49, within(1e-12));
        // torch's MNIST example: gamma 0.7 after every epoch.
        assertThat(LrSchedule.step(1.0, 3, 1, 0.7).at(2 * 938, 3 * 938)).isCloseTo(0.49, within(1e-12));
        assertThatThrownBy(() -> LrSchedule.step(1.0, 3, 0, 0.7)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cosineWarmUpCanBeGivenInEpochs() {
        // 10 epochs of 100 steps, 2 of them warm-up: the same as 200 warm-up steps.
        LrSchedule byEpochs = LrSchedule.cosineWarmupEpochs(0.1, 2, 10);
        LrSchedule bySteps = LrSchedule.cosine(0.1, 200);
        for (long step : new long[]{0, 99, 199, 200, 600, 999}) {
            assertThat(byEpochs.at(step, 1000)).isEqualTo(bySteps.at(step, 1000));
        }
        assertThat(byEpochs.at(99, 1000)).isCloseTo(0.05, within(1e-9));
        assertThatThrownBy(() -> LrSchedule.cosineWarmupEpochs(0.1, 11, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void clippingScalesToTheGlobalNormOnlyWhenAbove() {
        Parameter a = withGrad(new float[]{0f, 0f}, new float[]{3f, 0f});
        Parameter b = withGrad(new float[]{0f}, new float[]{4f});
        try (GradClipping clip = new GradClipping(List.of(a, b), 1f)) {
            clip.clip();
            assertThat(clip.lastNorm()).isCloseTo(5f, within(1e-5f));
            assertThat(a.grad().toArray()).containsExactly(new float[]{0.6f, 0f}, within(1e-5f));
            assertThat(b.grad().toArray()).containsExactly(new float[]{0.8f}, within(1e-5f));
        }
        try (GradClipping clip = new GradClipping(List.of(a, b), 10f)) {
            clip.clip();
            assertThat(clip.lastNorm()).isCloseTo(1f, within(1e-5f));
            assertThat(b.grad().toArray()).containsExactly(new float[]{0.8f}, within(1e-5f));
        }
    }
}
