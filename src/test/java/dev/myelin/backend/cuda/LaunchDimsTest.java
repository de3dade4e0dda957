package dev.myelin.backend.cuda;

import dev.myelin.backend.BackendException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LaunchDimsTest {
    @Test
    void elementwiseCoversEveryElementWithBlocksOf256() {
        assertThat(LaunchDims.elementwise(1)).isEqualTo(new LaunchConfig(1, 1, 256, 1));
        assertThat(LaunchDims.elementwise(256)).isEqualTo(new LaunchConfig(1, 1, 256, 1));
        assertThat(LaunchDims.elementwise(257)).isEqualTo(new LaunchConfig(2, 1, 256, 1));
        LaunchConfig big = LaunchDims.elementwise(Integer.MAX_VALUE);
        assertThat(big.threads()).isGreaterThanOrEqualTo(Integer.MAX_VALUE).isLessThan(Integer.MAX_VALUE + 256L);
        assertThatThrownBy(() -> LaunchDims.elementwise(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** As the OpenCL backend: a warp for rows of up to 32 columns, else 128; always a power of two <= 256. */
    @Test
    void rowKernelsGetOneBlockPerRow() {
        assertThat(LaunchDims.rows(7, 10)).isEqualTo(new LaunchConfig(7, 1, 32, 1));
        assertThat(LaunchDims.rows(7, 32)).isEqualTo(new LaunchConfig(7, 1, 32, 1));
        assertThat(LaunchDims.rows(1000, 33)).isEqualTo(new LaunchConfig(1000, 1, 128, 1));
        assertThat(LaunchDims.rows(3, 1_000_000)).isEqualTo(new LaunchConfig(3, 1, 128, 1));
        for (int cols : new int[]{1, 31, 32, 33, 4096}) {
            int block = LaunchDims.rows(1, cols).blockX();
            assertThat(Integer.bitCount(block)).isEqualTo(1);
            assertThat(block).isLessThanOrEqualTo(LaunchDims.ROW_BLOCK_MAX);
        }
    }

    @Test
    void gemmTilesCoverTheOutputAndPickTheKernelByTransposes() {
        LaunchDims.Gemm g = LaunchDims.gemm(false, false, 4096, 4096, 132);
        assertThat(g.tile()).isEqualTo(128);
        assertThat(g.kernel()).isEqualTo(CudaKernel.GEMM_TILED_128_NN);
        assertThat(g.config()).isEqualTo(new LaunchConfig(32, 32, 256, 1));

        // A 256 x 4096 layer output makes 64 big tiles for 132 SMs: the small tile, 4x the blocks.
        LaunchDims.Gemm small = LaunchDims.gemm(true, false, 256, 4096, 132);
        assertThat(small.tile()).isEqualTo(64);
        assertThat(small.kernel()).isEqualTo(CudaKernel.GEMM_TILED_64_TN);
        assertThat(small.config()).isEqualTo(new LaunchConfig(64, 4, 256, 1));

        LaunchDims.Gemm ragged = LaunchDims.gemm(false, true, 130, 67, 1);
        assertThat(ragged.kernel()).isEqualTo(CudaKernel.GEMM_TILED_128_NT);
        assertThat(ragged.config()).isEqualTo(new LaunchConfig(1, 2, 256, 1));
        assertThat(LaunchDims.gemm(true, true, 1, 1, 80).kernel()).isEqualTo(CudaKernel.GEMM_TILED_64_TT);
    }

    @Test
    void batchedGemmPutsTheBatchOnTheGridsZ() {
        LaunchDims.Gemm g = LaunchDims.gemmBatched(false, true, 130, 67, 12, 132);
        assertThat(g.kernel()).isEqualTo(CudaKernel.GEMM_TILED_BATCHED_64_NT);
        assertThat(g.config()).isEqualTo(new LaunchConfig(2, 3, 12, 256, 1));
        assertThat(g.config().threads()).isEqualTo(2L * 3 * 12 * 256);
        // 8 big tiles per matrix times 32 matrices fill 132 SMs: the 128 tile.
        LaunchDims.Gemm big = LaunchDims.gemmBatched(true, false, 256, 512, 32, 132);
        assertThat(big.kernel()).isEqualTo(CudaKernel.GEMM_TILED_BATCHED_128_TN);
        assertThat(big.config()).isEqualTo(new LaunchConfig(4, 2, 32, 256, 1));
        assertThatThrownBy(() -> LaunchDims.gemmBatched(false, false, 8, 8, 65_536, 132))
                .isInstanceOf(BackendException.class).hasMessageContaining("grid limit");
    }

    @Test
    void gemmBeyondTheGridLimitSaysSo() {
        // Too many rows for 64-row tiles on the grid's y axis: the 128 tile still fits ...
        assertThat(LaunchDims.gemm(false, false, 65_535 * 64 + 1, 8, 1000).tile()).isEqualTo(128);
        // ... until it does not either.
        assertThatThrownBy(() -> LaunchDims.gemm(false, false, 65_535 * 128 + 1, 8, 1000))
                .isInstanceOf(BackendException.class).hasMessageContaining("grid limit");
    }
}
