package dev.myelin.backend.cuda;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CudaBackend checks every launch's arguments against {@link CudaKernel#signature()}, but only on a
 * GPU. This reads the launches out of the sources of CudaBackend and the ops classes it delegates to
 * ({@code args().i(..).p(..)...launch(K, ..)})
 * so that a wrong order or type fails CI on machines without one. Together with the PTX parameter
 * test this ties each call site to the compiled kernel.
 */
class CudaLaunchArgumentsTest {
    private static final Pattern CHAIN = Pattern.compile("args\\(\\)(.*?)\\.launch\\((CudaKernel\\.(\\w+)|launch\\.kernel\\(\\))", Pattern.DOTALL);
    private static final Pattern ARG = Pattern.compile("\\.([ifp])\\(");

    @Test
    void everyLaunchPassesTheKernelsParameters() throws Exception {
        Path dir = Path.of("src/main/java/dev/myelin/backend/cuda");
        Assumptions.assumeTrue(Files.exists(dir.resolve("CudaBackend.java")), "not run from the source tree");
        Set<CudaKernel> seen = EnumSet.noneOf(CudaKernel.class);
        int launches = 0;
        // The launches live in the backend and in the ops classes it delegates to.
        for (String file : new String[]{"CudaBackend.java", "CudaSequenceOps.java", "CudaConvOps.java", "CudaOptimizerOps.java"}) {
            String code = Files.readString(dir.resolve(file));
            // A chain launching launch.kernel() runs a tiled GEMM LaunchDims picks: batched ones in CudaSequenceOps.
            boolean batchedGemm = file.equals("CudaSequenceOps.java");
            Matcher chain = CHAIN.matcher(code);
            while (chain.find()) {
                StringBuilder passed = new StringBuilder();
                Matcher arg = ARG.matcher(chain.group(1));
                while (arg.find()) {
                    passed.append(arg.group(1));
                }
                if (chain.group(3) != null) {
                    CudaKernel kernel = CudaKernel.valueOf(chain.group(3));
                    assertThat(passed.toString()).as(file + ": arguments of " + kernel.entry()).isEqualTo(kernel.signature());
                    seen.add(kernel);
                } else {
                    // Every tiled variant of one family shares one signature.
                    for (CudaKernel kernel : CudaKernel.values()) {
                        if (kernel.name().startsWith("GEMM_TILED_") && kernel.name().startsWith("GEMM_TILED_BATCHED_") == batchedGemm) {
                            assertThat(passed.toString()).as(file + ": arguments of " + kernel.entry()).isEqualTo(kernel.signature());
                            seen.add(kernel);
                        }
                    }
                }
                launches++;
            }
            if (file.equals("CudaBackend.java")) {
                // REDUCE_ROWS shares its argument chain with REDUCE_COLS (one Args, two launch sites).
                assertThat(code).contains("args.launch(CudaKernel.REDUCE_ROWS");
                seen.add(CudaKernel.REDUCE_ROWS);
            }
        }
        assertThat(launches).isGreaterThanOrEqualTo(27);
        assertThat(seen).as("every kernel is launched somewhere").containsExactlyInAnyOrder(CudaKernel.values());
    }
}
