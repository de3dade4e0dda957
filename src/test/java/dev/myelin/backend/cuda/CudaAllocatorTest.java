package dev.myelin.backend.cuda;

import dev.myelin.backend.BackendException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pool's bookkeeping against a fake device with a fixed capacity. */
class CudaAllocatorTest {
    /** Blocks are numbered; allocation fails (null) beyond {@code capacity} bytes. */
    static final class FakeMemory implements DeviceMemory<Integer> {
        final long capacity;
        long used;
        int next;
        int syncs;
        final List<Integer> freed = new ArrayList<>();
        final List<Long> sizes = new ArrayList<>();

        FakeMemory(long capacity) {
            this.capacity = capacity;
        }

        @Override
        public Integer allocate(long bytes) {
            if (used + bytes > capacity) {
                return null;
            }
            used += bytes;
            sizes.add(bytes);
            return next++;
        }

        @Override
        public void free(Integer block) {
            freed.add(block);
            used -= sizes.get(block);
        }

        @Override
        public void synchronize() {
            syncs++;
        }

        @Override
        public long[] freeAndTotal() {
            return new long[]{capacity - used, capacity};
        }

        @Override
        public String deviceName() {
            return "Fake GPU";
        }
    }

    @Test
    void sizeClassesRoundSmallTo512AndLargeTo128KiB() {
        assertThat(CudaAllocator.sizeClass(0)).isEqualTo(512);
        assertThat(CudaAllocator.sizeClass(1)).isEqualTo(512);
        assertThat(CudaAllocator.sizeClass(128)).isEqualTo(512);
        assertThat(CudaAllocator.sizeClass(129)).isEqualTo(1024);
        assertThat(CudaAllocator.sizeClass(1 << 18)).isEqualTo(1 << 20);
        assertThat(CudaAllocator.sizeClass((1 << 18) + 1)).isEqualTo((1 << 20) + (128 << 10));
        assertThat(CudaAllocator.sizeClass(784 * 4096)).isEqualTo(784L * 4096 * 4);
    }

    @Test
    void releasedBlocksAreReusedBySizeClassWithoutNewAllocations() {
        FakeMemory memory = new FakeMemory(1 << 30);
        CudaAllocator<Integer> allocator = new CudaAllocator<>(memory);
        for (int step = 0; step < 100; step++) {
            CudaBuffer<Integer> a = allocator.allocate(1000);
            CudaBuffer<Integer> b = allocator.allocate(1000);
            CudaBuffer<Integer> c = allocator.allocate(50_000);
            assertThat(a.length()).isEqualTo(1000);
            assertThat(a.block).isNotEqualTo(b.block);
            allocator.release(a);
            allocator.release(b);
            allocator.release(c);
        }
        assertThat(memory.next).as("device allocations over 100 steps").isEqualTo(3);
        assertThat(allocator.stats().bytesInUse()).isZero();
        assertThat(allocator.stats().bytesCached()).isEqualTo(2 * 4096 + 200_192);
        assertThat(allocator.stats().peakBytesInUse()).isEqualTo(2 * 4096 + 200_192);
    }

    @Test
    void releasingTwiceOrForeignBuffersIsAnError() {
        CudaAllocator<Integer> allocator = new CudaAllocator<>(new FakeMemory(1 << 20));
        CudaAllocator<Integer> other = new CudaAllocator<>(new FakeMemory(1 << 20));
        CudaBuffer<Integer> a = allocator.allocate(10);
        allocator.release(a);
        assertThatThrownBy(() -> allocator.release(a)).isInstanceOf(IllegalStateException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> other.release(allocator.allocate(10))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void emptyCacheWaitsForTheStreamThenFreesEveryCachedBlock() {
        FakeMemory memory = new FakeMemory(1 << 20);
        CudaAllocator<Integer> allocator = new CudaAllocator<>(memory);
        CudaBuffer<Integer> kept = allocator.allocate(10);
        allocator.release(allocator.allocate(10));
        allocator.release(allocator.allocate(1000));
        allocator.emptyCache();
        assertThat(memory.syncs).isEqualTo(1);
        assertThat(memory.freed).containsExactlyInAnyOrder(1, 2);
        assertThat(allocator.stats().bytesCached()).isZero();
        assertThat(allocator.stats().bytesInUse()).isEqualTo(kept.bytes);
        allocator.emptyCache();
        assertThat(memory.syncs).as("nothing cached: no wait").isEqualTo(1);
    }

    /** Out of memory: the cache is given back and the allocation retried once before failing. */
    @Test
    void outOfMemoryFreesTheCacheAndRetriesOnce() {
        FakeMemory memory = new FakeMemory(1 << 20);
        CudaAllocator<Integer> allocator = new CudaAllocator<>(memory);
        allocator.release(allocator.allocate(200_000)); // 800,256 bytes cached of 1 MiB
        CudaBuffer<Integer> b = allocator.allocate(100_000); // needs 400,384 bytes: only fits after the cache goes
        assertThat(b.length()).isEqualTo(100_000);
        assertThat(memory.freed).containsExactly(0);
        assertThat(allocator.stats().bytesCached()).isZero();
    }

    @Test
    void outOfMemoryNamesTheSizeAndTheDevicesMemory() {
        FakeMemory memory = new FakeMemory(1 << 20);
        CudaAllocator<Integer> allocator = new CudaAllocator<>(memory);
        allocator.allocate(100_000);
        assertThatThrownBy(() -> allocator.allocate(1_000_000))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("out of device memory allocating 4,063,232 bytes (1,000,000 floats) on Fake GPU")
                .hasMessageContaining("648,192 bytes free of 1,048,576 total")
                .hasMessageContaining("400,384 bytes in use by Myelin");
        assertThat(allocator.stats().bytesInUse()).isEqualTo(400_384);
    }
}
