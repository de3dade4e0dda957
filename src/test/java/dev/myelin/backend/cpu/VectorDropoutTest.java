package dev.myelin.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.myelin.backend.DeviceRandom;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The vector dropout against DeviceRandom element by element: the same mask bits, off-vector-length ranges. */
class VectorDropoutTest {

    @ParameterizedTest(name = "[{0}, {1}) p={2} seed={3}")
    @CsvSource({"0, 1000, 0.25, 42", "3, 997, 0.5, -8070450532247928832", "0, 5, 0.9, 7", "17, 17, 0.5, 1"})
    void matchesTheDeviceRandomDefinition(int from, int to, float p, long seed) {
        assumeTrue(VectorSupport.available(), "the Vector API module is not enabled in this JVM");
        int n = 1000;
        float scale = 1f / (1f - p);
        SplittableRandom rnd = new SplittableRandom(3);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        float[] expectedMask = new float[n];
        float[] expectedY = new float[n];
        Arrays.fill(expectedMask, 42f);
        Arrays.fill(expectedY, 42f);
        for (int i = from; i < to; i++) {
            expectedMask[i] = DeviceRandom.uniform(seed, i) >= p ? scale : 0f;
            expectedY[i] = x[i] * expectedMask[i];
        }
        float[] mask = new float[n];
        float[] y = new float[n];
        Arrays.fill(mask, 42f);
        Arrays.fill(y, 42f);
        VectorDropout.dropout(x, y, mask, from, to, p, scale, seed);
        assertThat(mask).containsExactly(expectedMask);
        assertThat(y).containsExactly(expectedY);
    }
}
