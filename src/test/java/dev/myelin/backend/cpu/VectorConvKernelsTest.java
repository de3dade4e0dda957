package dev.myelin.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The vector 2x2 max-pool against the scalar 2x2 loop: ties, NaN and widths off the vector length. */
class VectorConvKernelsTest {

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({"24, 24", "26, 26", "4, 40", "8, 6", "2, 2"})
    void maxPool2x2MatchesTheScalarLoop(int h, int w) {
        assumeTrue(VectorSupport.available(), "the Vector API module is not enabled in this JVM");
        SplittableRandom rnd = new SplittableRandom(11);
        float[] special = {0f, -0f, Float.NaN, 1f, 1f, Float.NEGATIVE_INFINITY};
        float[] x = new float[2 * 3 * h * w];
        for (int i = 0; i < x.length; i++) {
            // Few distinct values, so that ties are common.
            x[i] = i % 7 == 0 ? special[(i / 7) % special.length] : rnd.nextInt(4) - 1f;
        }
        int oh = h / 2;
        int ow = w / 2;
        int out = 2 * 3 * oh * ow;
        float[] expectedY = new float[out];
        float[] expectedIndex = new float[out];
        ConvKernels.maxPool2x2(x, expectedY, expectedIndex, 0, 6, h, w, oh, ow);
        float[] y = new float[out];
        float[] index = new float[out];
        Arrays.fill(y, 42f);
        VectorConvKernels.maxPool2x2(x, y, index, 0, 6, h, w, oh, ow);
        assertThat(y).containsExactly(expectedY);
        assertThat(index).containsExactly(expectedIndex);
    }
}
