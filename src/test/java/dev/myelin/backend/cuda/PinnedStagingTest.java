package dev.myelin.backend.cuda;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PinnedStagingTest {
    static final class FakeHost implements HostMemory<long[]> {
        final List<long[]> live = new ArrayList<>();
        int allocations;

        @Override
        public long[] allocate(long bytes) {
            allocations++;
            long[] block = {bytes};
            live.add(block);
            return block;
        }

        @Override
        public void free(long[] block) {
            assertThat(live.remove(block)).as("freeing a live block").isTrue();
        }
    }

    @Test
    void sizeClassesArePowersOfTwoFrom64KiB() {
        assertThat(PinnedStaging.sizeClass(1)).isEqualTo(64 << 10);
        assertThat(PinnedStaging.sizeClass(64 << 10)).isEqualTo(64 << 10);
        assertThat(PinnedStaging.sizeClass((64 << 10) + 1)).isEqualTo(128 << 10);
        assertThat(PinnedStaging.sizeClass(PinnedStaging.CHUNK_BYTES)).isEqualTo(PinnedStaging.CHUNK_BYTES);
        assertThatThrownBy(() -> PinnedStaging.sizeClass(PinnedStaging.CHUNK_BYTES + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A block is never handed out twice before the stream drains; after that it is reused. */
    @Test
    void inFlightBlocksAreReusedOnlyAfterTheStreamDrains() {
        FakeHost host = new FakeHost();
        PinnedStaging<long[]> staging = new PinnedStaging<>(host);
        var a = staging.take(1000);
        var b = staging.take(1000);
        assertThat(a.block()).isNotSameAs(b.block());
        assertThat(staging.inFlightBytes()).isEqualTo(2 * (64 << 10));
        staging.streamDrained();
        assertThat(staging.inFlightBytes()).isZero();
        for (int step = 0; step < 50; step++) {
            staging.take(3000);
            staging.take(60_000);
            staging.streamDrained();
        }
        assertThat(host.allocations).isEqualTo(2);
        staging.close();
        assertThat(host.live).isEmpty();
    }

    @Test
    void tooMuchInFlightAsksForAWaitAndTheCacheIsBounded() {
        FakeHost host = new FakeHost();
        PinnedStaging<long[]> staging = new PinnedStaging<>(host);
        for (int i = 0; i < 4; i++) {
            staging.take(PinnedStaging.CHUNK_BYTES);
        }
        assertThat(staging.overLimit()).isFalse();
        staging.take(1);
        assertThat(staging.overLimit()).isTrue();
        for (int i = 0; i < 8; i++) {
            staging.take(PinnedStaging.CHUNK_BYTES);
        }
        staging.streamDrained();
        assertThat(staging.cachedBytes()).isLessThanOrEqualTo(PinnedStaging.MAX_CACHED);
        assertThat(host.live.stream().mapToLong(b -> b[0]).sum()).isEqualTo(staging.cachedBytes());
        staging.close();
        assertThat(host.live).isEmpty();
    }
}
