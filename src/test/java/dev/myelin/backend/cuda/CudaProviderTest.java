package dev.myelin.backend.cuda;

import dev.myelin.backend.Backend;
import dev.myelin.backend.BackendKind;
import dev.myelin.backend.BackendUnavailableException;
import dev.myelin.backend.Backends;
import dev.myelin.backend.Probe;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CudaProviderTest {
    private final CudaBackendProvider provider = new CudaBackendProvider();

    @Test
    void probeNeverThrowsAndIsCached() {
        assertThatCode(provider::probe).doesNotThrowAnyException();
        Probe first = provider.probe();
        assertThat(first.kind()).isEqualTo(BackendKind.CUDA);
        assertThat(provider.probe()).isSameAs(first);
        assertThat(new CudaBackendProvider().probe()).as("cached per JVM, not per instance").isSameAs(first);
    }

    @Test
    void reasonIsOneLineAndOpenFailsWithIt() {
        Probe probe = provider.probe();
        assertThat(probe.reason()).isNotNull().doesNotContain("\n").doesNotContain("\tat ");
        if (probe.available()) {
            assertThat(probe.reason()).contains("GEMM: ");
            assertThat(probe.devices()).isNotEmpty().allSatisfy(d -> assertThat(d.type()).isEqualTo("gpu"));
        } else {
            assertThat(probe.reason()).isNotBlank().hasSizeLessThan(300);
            assertThatThrownBy(() -> provider.open(false))
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasMessage("cuda backend unavailable: " + probe.reason());
            assertThatThrownBy(() -> Backends.open("cuda"))
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasMessageNotContaining("\n");
        }
    }

    /** On a machine without the NVIDIA driver (these build machines) the reason says exactly that. */
    @Test
    void withoutLibcudaTheReasonSaysNoDriver() {
        java.util.List<String> dirs = new java.util.ArrayList<>(java.util.List.of(
                "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib/wsl/lib", "/usr/local/nvidia/lib64"));
        String ldPath = System.getenv("LD_LIBRARY_PATH");
        if (ldPath != null) {
            dirs.addAll(java.util.Arrays.asList(ldPath.split(":")));
        }
        java.util.Optional<String> driver = dirs.stream().filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, "libcuda.so.1")).filter(Files::exists).map(Path::toString).findFirst();
        Assumptions.assumeFalse(driver.isPresent(), () -> "a libcuda.so.1 is installed here (" + driver.orElse("") + ")");
        assertThat(provider.probe().reason()).isEqualTo("no NVIDIA driver: libcuda.so.1 not found");
        // Later touches of JCudaDriver would throw NoClassDefFoundError; the cached outcome hides that.
        assertThat(CudaLibrary.init()).isEqualTo("no NVIDIA driver: libcuda.so.1 not found");
    }

    @Test
    void autoPassesOverCudaWithItsReason() {
        Probe probe = provider.probe();
        Assumptions.assumeFalse(probe.available(), "CUDA is available here");
        Backends.Selection selection = Backends.open("auto");
        try (Backend backend = selection.backend()) {
            assertThat(backend.kind()).isNotEqualTo(BackendKind.CUDA);
        }
        assertThat(selection.passedOver()).contains("cuda: " + probe.reason());
    }

    @Test
    void nativeLoadFailuresBecomeOneLine() {
        String jcuda = "Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\nOperating system name: Linux\n"
                + "---(start of nested stack traces)---\nStack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open shared"
                + " object file: No such file or directory\n\tat java.base/jdk.internal.loader.NativeLibraries.load(Native Method)\n";
        assertThat(CudaLibrary.loadFailure(new UnsatisfiedLinkError(jcuda))).isEqualTo("no NVIDIA driver: libcuda.so.1 not found");
        assertThat(CudaLibrary.loadFailure(new UnsatisfiedLinkError(jcuda.replace("libcuda.so.1", "libstdc++.so.6"))))
                .isEqualTo("cannot load JCuda's driver binding: libstdc++.so.6 not found");
        assertThat(CudaLibrary.loadFailure(new NoClassDefFoundError("Could not initialize class jcuda.driver.JCudaDriver")))
                .isEqualTo("cannot load JCuda's driver binding: Could not initialize class jcuda.driver.JCudaDriver");
        String cublas = jcuda.replace("JCudaDriver", "JCublas2").replace("libcuda.so.1", "libcublas.so.12");
        assertThat(CudaErrors.missingLibrary(new UnsatisfiedLinkError(cublas))).isEqualTo("libcublas.so.12");
    }

    @Test
    void cublasMissingIsANoteNotAFailure() {
        String failure = CublasGemm.loadFailure();
        assertThat(CublasGemm.loadFailure()).as("cached").isSameAs(failure);
        if (failure != null) {
            assertThat(failure).doesNotContain("\n");
        }
    }

    @Test
    void resultCodesHaveNames() {
        assertThat(CudaErrors.name(2)).isEqualTo("CUDA_ERROR_OUT_OF_MEMORY");
        assertThat(CudaErrors.name(209)).isEqualTo("CUDA_ERROR_NO_BINARY_FOR_GPU");
        assertThat(CudaErrors.name(222)).isEqualTo("CUDA_ERROR_UNSUPPORTED_PTX_VERSION");
        assertThat(CudaErrors.name(123456)).isEqualTo("CUresult 123456");
        assertThat(CudaErrors.cudaVersion(12040)).isEqualTo("12.4");
        assertThat(CudaErrors.cudaVersion(13000)).isEqualTo("13.0");
    }

    @Test
    void tf32IsOffUnlessAskedFor() {
        Assumptions.assumeTrue(System.getenv("MYELIN_CUDA_TF32") == null);
        assertThat(CublasGemm.tf32Requested()).isFalse();
        System.setProperty("myelin.cuda.tf32", "true");
        try {
            assertThat(CublasGemm.tf32Requested()).isTrue();
        } finally {
            System.clearProperty("myelin.cuda.tf32");
        }
    }
}
