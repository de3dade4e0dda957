package dev.myelin.optim;

import dev.myelin.backend.Backend;
import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.nn.Parameter;
import dev.myelin.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Three steps of each optimizer against torch.optim's update rules written out in double precision. */
class OptimizerTest {
    private final Backend cpu = new CpuBackend();
    private static final float[] START = {0.5f, -1.5f, 2f};
    private static final float[][] GRADS = {{0.1f, -0.2f, 0.3f}, {-0.4f, 0.5f, 0.05f}, {0.2f, 0.2f, -0.6f}};

    private Parameter parameter() {
        return new Parameter(Tensor.of(cpu, START.clone(), 3));
    }

    private void setGrad(Parameter p, float[] g) {
        p.data().zeroGrad();
        if (p.grad() == null) {
            // First gradient: run a backward whose result is exactly g (d/dp sum(p * g) = g).
            dev.myelin.autograd.Ops.sum(dev.myelin.autograd.Ops.mul(p.data(), Tensor.of(cpu, g, 3))).backward();
        } else {
            cpu.upload(g, 0, p.grad().buffer(), 0, 3);
        }
    }

    @Test
    void sgdWithMomentumNesterovAndWeightDecay() {
        for (boolean nesterov : new boolean[]{false, true}) {
            Parameter p = parameter();
            try (Sgd sgd = new Sgd(List.of(p), 0.1f, 0.9f, 0.01f, nesterov)) {
                double[] ref = {START[0], START[1], START[2]};
                double[] v = new double[3];
                for (float[] g : GRADS) {
                    setGrad(p, g);
                    sgd.step();
                    for (int i = 0; i < 3; i++) {
                        double gi = g[i] + 0.01 * ref[i];
                        v[i] = 0.9 * v[i] + gi;
                        ref[i] -= 0.1 * (nesterov ? gi + 0.9 * v[i] : v[i]);
                    }
                }
                float[] got = p.data().toArray();
                for (int i = 0; i < 3; i++) {
                    assertThat((double) got[i]).as("nesterov=%s [%d]", nesterov, i).isCloseTo(ref[i], within(1e-6));
                }
            }
            p.data().close();
        }
    }

    @Test
    void adamAndAdamW() {
        for (boolean decoupled : new boolean[]{false, true}) {
            Parameter p = parameter();
            try (Adam adam = new Adam(List.of(p), 0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, decoupled)) {
                double[] ref = {START[0], START[1], START[2]};
                double[] m = new double[3];
                double[] v = new double[3];
                int t = 0;
                for (float[] g : GRADS) {
                    setGrad(p, g);
                    adam.step();
                    t++;
                    for (int i = 0; i < 3; i++) {
                        double gi = g[i];
                        if (decoupled) {
                            ref[i] -= 0.01 * 0.1 * ref[i];
                        } else {
                            gi += 0.1 * ref[i];
                        }
                        m[i] = 0.9 * m[i] + 0.1 * gi;
                        v[i] = 0.999 * v[i] + 0.001 * gi * gi;
                        double mHat = m[i] / (1 - Math.pow(0.9, t));
                        double vHat = v[i] / (1 - Math.pow(0.999, t));
                        ref[i] -= 0.01 * mHat / (Math.sqrt(vHat) + 1e-8);
                    }
                }
                float[] got = p.data().toArray();
                for (int i = 0; i < 3; i++) {
                    assertThat((double) got[i]).as("decoupled=%s [%d]", decoupled, i).isCloseTo(ref[i], within(1e-5));
                }
                assertThat(adam.steps()).isEqualTo(3);
            }
            p.data().close();
        }
    }

    @Test
    void badHyperparametersAreRefusedWithTheirValue() {
        Parameter p = parameter();
        assertThatThrownBy(() -> new Sgd(List.of(p), -1f)).hasMessageContaining("-1.0");
        assertThatThrownBy(() -> new Sgd(List.of(p), 0.1f, 0f, 0f, true)).hasMessageContaining("Nesterov");
        assertThatThrownBy(() -> new Adam(List.of(p), 0.1f, 1.2f, 0.9f, 1e-8f, 0f, false)).hasMessageContaining("1.2");
        assertThatThrownBy(() -> new Adam(List.of(), 0.1f)).hasMessageContaining("no parameters");
    }
}
