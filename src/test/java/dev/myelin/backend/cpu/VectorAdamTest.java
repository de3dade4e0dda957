package dev.myelin.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Vector API Adam update against the scalar one: the same arithmetic in the same order, so the
 * floats must be identical, on ranges that start and end off the vector length.
 */
class VectorAdamTest {

    @ParameterizedTest(name = "[{0}, {1}) weightDecay={2} decoupled={3}")
    @CsvSource({
            "0, 1000, 0, false",
            "3, 997, 0.01, false",
            "5, 1000, 0.1, true",
            "0, 7, 0.01, true",
    })
    void matchesScalarBitForBit(int from, int to, float weightDecay, boolean decoupled) {
        assumeTrue(VectorSupport.available(), "the Vector API module is not enabled in this JVM");
        int n = 1003;
        SplittableRandom rnd = new SplittableRandom(42);
        float[] p = random(rnd, n), g = random(rnd, n), m = random(rnd, n), v = random(rnd, n);
        for (int i = 0; i < n; i++) {
            v[i] = Math.abs(v[i]);
        }
        float[] p2 = p.clone(), m2 = m.clone(), v2 = v.clone();
        for (int step = 1; step <= 3; step++) {
            float stepSize = 1e-3f / (float) (1 - Math.pow(0.9, step));
            float invSqrt = (float) (1 / Math.sqrt(1 - Math.pow(0.999, step)));
            VectorAdam.update(p, g, m, v, from, to, 1e-3f, 0.9f, 0.999f, 1e-8f, weightDecay, decoupled,
                    stepSize, invSqrt);
            CpuBackend.adamScalar(p2, g, m2, v2, from, to, 1e-3f, 0.9f, 0.999f, 1e-8f, weightDecay, decoupled,
                    stepSize, invSqrt);
        }
        assertThat(p).containsExactly(p2);
        assertThat(m).containsExactly(m2);
        assertThat(v).containsExactly(v2);
    }

    private static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return x;
    }
}
