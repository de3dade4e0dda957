package dev.myelin.backend.cuda;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Which GPU and driver can run the packaged kernels, decided before trying to load them. */
class KernelImageTest {
    @Test
    void sassRunsOnTheSameMajorVersionWithAnEqualOrHigherMinor() {
        assertThat(KernelImage.sassFor(7, 5)).isEqualTo(75);
        assertThat(KernelImage.sassFor(8, 0)).isEqualTo(80);
        assertThat(KernelImage.sassFor(8, 6)).isEqualTo(86);
        assertThat(KernelImage.sassFor(8, 7)).isEqualTo(86);   // Jetson Orin runs the sm_86 SASS
        assertThat(KernelImage.sassFor(8, 9)).isEqualTo(89);
        assertThat(KernelImage.sassFor(9, 0)).isEqualTo(90);
        assertThat(KernelImage.sassFor(10, 3)).isEqualTo(100);
        assertThat(KernelImage.sassFor(12, 1)).isEqualTo(120);
        assertThat(KernelImage.sassFor(11, 0)).isZero();        // Thor: PTX only
        assertThat(KernelImage.sassFor(7, 0)).isZero();
    }

    @Test
    void gpusOlderThanTuringAreRefusedByName() {
        assertThat(KernelImage.incompatibility("Tesla V100", 7, 0, 13000))
                .isEqualTo("Tesla V100 is sm_70; the packaged kernels need sm_75 or newer (CUDA 13 no longer builds for older GPUs)");
    }

    @Test
    void ptxOnlyGpusNeedACuda13Driver() {
        assertThat(KernelImage.incompatibility("NVIDIA Thor", 11, 0, 12080))
                .isEqualTo("driver too old: NVIDIA Thor (sm_110) has no prebuilt SASS in this build, only CUDA 13.0 PTX,"
                        + " which needs an R580+ driver (CUDA 13.0); this driver supports CUDA 12.8");
        assertThat(KernelImage.incompatibility("NVIDIA Thor", 11, 0, 13000)).isNull();
    }

    /** With SASS for the GPU the module load decides, whatever the driver (it names the driver if it fails). */
    @Test
    void gpusWithSassAreTried() {
        assertThat(KernelImage.incompatibility("NVIDIA H100", 9, 0, 12040)).isNull();
        assertThat(KernelImage.incompatibility("NVIDIA GeForce RTX 4090", 8, 9, 13000)).isNull();
        assertThat(CudaModule.driverHint(12040)).isEqualTo(
                " (the driver supports CUDA 12.4; the kernels were built with CUDA 13.0: update to an R580+ driver)");
        assertThat(CudaModule.driverHint(13000)).isEmpty();
    }
}
