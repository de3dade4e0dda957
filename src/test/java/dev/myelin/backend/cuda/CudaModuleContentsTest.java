package dev.myelin.backend.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the jar ships for CUDA, checked without a GPU: the packaged PTX (the resource the backend loads)
 * defines every kernel the backend launches ({@link CudaKernel} is the launcher's only source of
 * names), so renaming or dropping a kernel in kernels/ fails here.
 */
class CudaModuleContentsTest {
    private static String resource(String path) throws Exception {
        try (InputStream in = CudaModuleContentsTest.class.getResourceAsStream(path)) {
            assertThat(in).as(path + " on the classpath").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void packagedPtxHasAnEntryForEveryLaunchedKernel() throws Exception {
        String ptx = resource(KernelImage.PTX);
        assertThat(ptx).contains(".target sm_75");
        for (CudaKernel kernel : CudaKernel.values()) {
            assertThat(ptx).as("PTX entry of " + kernel.entry())
                    .containsPattern("\\.entry " + Pattern.quote(kernel.entry()) + "\\(");
        }
    }

    /** The parameter list the launcher passes (CudaKernel.signature) is the one the compiled kernel takes. */
    @Test
    void declaredSignaturesMatchThePtxParameters() throws Exception {
        String ptx = resource(KernelImage.PTX);
        for (CudaKernel kernel : CudaKernel.values()) {
            Matcher m = Pattern.compile("\\.entry " + Pattern.quote(kernel.entry()) + "\\(([^)]*)\\)").matcher(ptx);
            assertThat(m.find()).as(kernel.entry()).isTrue();
            StringBuilder fromPtx = new StringBuilder();
            Matcher param = Pattern.compile("\\.param \\.(\\w+)").matcher(m.group(1));
            while (param.find()) {
                fromPtx.append(switch (param.group(1)) {
                    case "u32", "s32" -> 'i';
                    case "f32" -> 'f';
                    case "u64" -> 'p';
                    default -> '?';
                });
            }
            assertThat(fromPtx.toString()).as("parameters of " + kernel.entry()).isEqualTo(kernel.signature());
        }
    }

    @Test
    void packagedFatbinNamesEveryLaunchedKernel() throws Exception {
        String fatbin = resource(KernelImage.FATBIN);
        assertThat(fatbin.length()).isGreaterThan(10_000);
        // The fatbin holds the entry names as plain strings (in the compute_120 PTX and the ELF symbol
        // tables) unless it is compressed; require them only when any is visible at all.
        if (fatbin.contains("unary_op")) {
            for (CudaKernel kernel : CudaKernel.values()) {
                assertThat(fatbin).as("fatbin mentions " + kernel.entry()).contains(kernel.entry());
            }
        }
    }

    @Test
    void kernelNamesResolveBothWays() {
        assertThat(CudaKernel.UNARY_OP.entry()).isEqualTo("unary_op");
        assertThat(CudaKernel.gemm(128, false, true)).isEqualTo(CudaKernel.GEMM_TILED_128_NT);
        assertThat(CudaKernel.gemm(64, true, false).entry()).isEqualTo("gemm_tiled_64_tn");
        assertThat(CudaKernel.gemmBatched(128, true, true).entry()).isEqualTo("gemm_tiled_batched_128_tt");
    }

    /** The architectures the Java side believes are in the fatbin are the ones the build script compiles. */
    @Test
    void sassArchitecturesMatchTheBuildScript() throws Exception {
        Path path = Path.of("native/build-kernels.sh");
        Assumptions.assumeTrue(Files.exists(path), "not run from the source tree (no native/build-kernels.sh)");
        String script = Files.readString(path);
        Matcher m = Pattern.compile("(?m)^ARCHS=\\(([\\d ]+)\\)").matcher(script);
        assertThat(m.find()).as("ARCHS=(...) in native/build-kernels.sh").isTrue();
        List<Integer> archs = Arrays.stream(m.group(1).trim().split("\\s+")).map(Integer::valueOf).toList();
        assertThat(archs).isEqualTo(KernelImage.SASS_ARCHS);
    }

    /** Builds without nvcc package native/prebuilt/: it must be there and hold every kernel too. */
    @Test
    void prebuiltModuleIsCommittedAndComplete() throws Exception {
        Path prebuilt = Path.of("native/prebuilt");
        Assumptions.assumeTrue(Files.isDirectory(Path.of("native")), "not run from the source tree (no native/)");
        assertThat(prebuilt.resolve("myelin_kernels.fatbin")).isRegularFile();
        String ptx = Files.readString(prebuilt.resolve("myelin_kernels.ptx"), StandardCharsets.ISO_8859_1);
        for (CudaKernel kernel : CudaKernel.values()) {
            assertThat(ptx).as("prebuilt PTX entry of " + kernel.entry()).contains(".entry " + kernel.entry() + "(");
        }
    }
}
