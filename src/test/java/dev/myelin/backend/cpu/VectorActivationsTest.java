package dev.myelin.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.myelin.backend.Activation;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The vector ReLU backward against the scalar loop, special values included, off-vector-length ranges. */
class VectorActivationsTest {

    @ParameterizedTest(name = "[{0}, {1})")
    @CsvSource({"0, 1000", "3, 997", "0, 5", "17, 17"})
    void reluBackwardMatchesScalar(int from, int to) {
        assumeTrue(VectorSupport.available(), "the Vector API module is not enabled in this JVM");
        int n = 1000;
        SplittableRandom rnd = new SplittableRandom(7);
        float[] y = new float[n];
        float[] dy = new float[n];
        float[] special = {0f, -0f, Float.NaN, Float.MIN_VALUE, -Float.MIN_VALUE, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY};
        for (int i = 0; i < n; i++) {
            y[i] = i % 5 == 0 ? special[(i / 5) % special.length] : (float) (rnd.nextDouble() * 2 - 1);
            dy[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        float[] expected = new float[n];
        float[] actual = new float[n];
        java.util.Arrays.fill(expected, 42f);
        java.util.Arrays.fill(actual, 42f);
        ElementKernels.activationBackward(Activation.RELU, y, dy, expected, from, to);
        VectorActivations.reluBackward(y, dy, actual, from, to);
        assertThat(actual).containsExactly(expected);
    }
}
