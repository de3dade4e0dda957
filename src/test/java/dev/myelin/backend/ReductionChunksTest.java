package dev.myelin.backend;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ReductionChunksTest {
    @Test
    void chunksCoverEveryRowWithAboutSqrtRowsEach() {
        assertThat(ReductionChunks.chunks(0)).isZero();
        assertThat(ReductionChunks.chunks(1)).isEqualTo(1);
        assertThat(ReductionChunks.rowsPerChunk(9)).isEqualTo(16);
        assertThat(ReductionChunks.rowsPerChunk(16_384)).isEqualTo(128);
        assertThat(ReductionChunks.chunks(16_384)).isEqualTo(128);
        for (int rows : new int[]{1, 15, 16, 17, 600, 1_000_003}) {
            int per = ReductionChunks.rowsPerChunk(rows);
            int chunks = ReductionChunks.chunks(rows);
            assertThat((long) chunks * per).as("rows %d", rows).isGreaterThanOrEqualTo(rows);
            assertThat((long) (chunks - 1) * per).as("rows %d", rows).isLessThan(rows);
        }
    }
}
