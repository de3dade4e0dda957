package dev.myelin.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CLI starts the dense warm-up before it has parsed which model will run, and a CNN then asks for the
 * convolution kernels too: they must be warmed whether the dense warm-up is still going or has ended.
 * Each test drives a warm-up of its own, not the process's.
 */
class CpuWarmUpTest {

    @BeforeEach
    void vectorApi() {
        assumeTrue(VectorSupport.available(), "the Vector API module is not enabled in this JVM");
    }

    @Test
    void aDenseWarmUpWarmsNoConvolution() {
        CpuWarmUp warmUp = new CpuWarmUp();
        warmUp.begin(CpuWarmUp.Kernels.DENSE);
        warmUp.await();
        assertThat(warmUp.convolutionRounds()).isZero();
    }

    @Test
    void convolutionAskedForWhileTheDenseWarmUpRunsIsWarmed() {
        CpuWarmUp warmUp = new CpuWarmUp();
        warmUp.begin(CpuWarmUp.Kernels.DENSE);
        warmUp.begin(CpuWarmUp.Kernels.CONVOLUTION);
        warmUp.await();
        assertThat(warmUp.convolutionRounds()).isPositive();
    }

    @Test
    void convolutionAskedForAfterTheDenseWarmUpEndedStartsItAgain() {
        CpuWarmUp warmUp = new CpuWarmUp();
        warmUp.begin(CpuWarmUp.Kernels.DENSE);
        warmUp.await();
        warmUp.begin(CpuWarmUp.Kernels.CONVOLUTION);
        warmUp.await();
        assertThat(warmUp.convolutionRounds()).isPositive();
    }

    @Test
    void aStoppedWarmUpStaysStopped() {
        CpuWarmUp warmUp = new CpuWarmUp();
        warmUp.begin(CpuWarmUp.Kernels.DENSE);
        warmUp.end();
        warmUp.await();
        warmUp.begin(CpuWarmUp.Kernels.CONVOLUTION);
        warmUp.await();
        assertThat(warmUp.convolutionRounds()).isZero();
    }
}
