package dev.myelin.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * The warm-up calls the SGEMM's leaves directly, with hand-made sizes; this checks that those calls stay
 * in bounds on this machine's vector width and that the product they end with is right.
 */
class VectorSgemmWarmUpTest {

    @Test
    void warmUpRoundsRunAndEndWithTheRightProduct() {
        assumeTrue(VectorSupport.available(), "the Vector API module is not enabled in this JVM");
        VectorSgemm.WarmUp warmUp = new VectorSgemm.WarmUp();
        for (int i = 0; i < 3; i++) {
            warmUp.once();
        }
        warmUp.products();
        int m = VectorSgemm.MR + 1;
        int n = VectorSgemm.NR + 1;
        int k = warmUp.a.length / m;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float expected = 0f;
                for (int p = 0; p < k; p++) {
                    expected += warmUp.a[p * m + i] * warmUp.b[j * k + p];
                }
                assertThat(warmUp.c[i * n + j]).as("C[%d, %d]", i, j).isCloseTo(expected, within(1e-4f));
            }
        }
    }
}
