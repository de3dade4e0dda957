package dev.myelin.backend.conformance;

import dev.myelin.backend.Backend;
import dev.myelin.backend.Buffer;
import dev.myelin.backend.MemoryStats;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static dev.myelin.backend.conformance.Harness.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Host/device transfers with offsets, copy, fill, and the caching allocator's bookkeeping. */
class MemoryConformanceTest {
    static Stream<String> backends() {
        return BackendsUnderTest.ids().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void uploadDownloadWithOffsets(String id) {
        Backend backend = BackendsUnderTest.get(id);
        float[] src = random(1, 100, -5, 5);
        Buffer buffer = backend.allocate(60);
        try {
            backend.fill(buffer, 0, 60, -1f);
            backend.upload(src, 10, buffer, 5, 40);   // src[10, 50) -> buffer[5, 45)
            float[] dst = new float[70];
            Arrays.fill(dst, 7f);
            backend.download(buffer, 3, dst, 2, 50);  // buffer[3, 53) -> dst[2, 52)
            float[] expected = new float[70];
            Arrays.fill(expected, 7f);
            for (int i = 0; i < 50; i++) {
                int b = 3 + i;
                expected[2 + i] = b >= 5 && b < 45 ? src[10 + b - 5] : -1f;
            }
            assertThat(dst).containsExactly(expected);
        } finally {
            backend.release(buffer);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void copyAndFillWithOffsets(String id) {
        Backend backend = BackendsUnderTest.get(id);
        float[] src = random(2, 300, -5, 5);
        Buffer a = backend.allocate(300);
        Buffer b = backend.allocate(257);
        try {
            backend.upload(src, 0, a, 0, 300);
            backend.fill(b, 0, 257, 0.25f);
            backend.copy(a, 17, b, 3, 200);
            backend.fill(b, 250, 7, Float.NaN);
            backend.fill(b, 0, 0, 99f);                // empty ranges are no-ops
            backend.copy(a, 0, b, 0, 0);
            float[] out = new float[257];
            backend.download(b, 0, out, 0, 257);
            float[] expected = new float[257];
            Arrays.fill(expected, 0.25f);
            System.arraycopy(src, 17, expected, 3, 200);
            Arrays.fill(expected, 250, 257, Float.NaN);
            assertThat(out).containsExactly(expected);
        } finally {
            backend.release(a);
            backend.release(b);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void releasedBuffersAreReusedAndAccountedFor(String id) {
        Backend backend = BackendsUnderTest.get(id);
        backend.synchronize();
        // Start from an empty cache: blocks cached by earlier tests on the shared backend would serve
        // the first round and make the outcome depend on test order (it did under the JUnit console).
        backend.emptyCache();
        MemoryStats before = backend.memoryStats();
        int[] sizes = {1, 100, 1000, 4096, 100_000};
        for (int round = 0; round < 3; round++) {
            List<Buffer> buffers = new ArrayList<>();
            for (int size : sizes) {
                Buffer buffer = backend.allocate(size);
                assertThat(buffer.length()).isEqualTo(size);
                backend.fill(buffer, 0, size, round);
                buffers.add(buffer);
            }
            MemoryStats during = backend.memoryStats();
            assertThat(during.bytesInUse()).isGreaterThanOrEqualTo(before.bytesInUse() + 4L * Arrays.stream(sizes).sum());
            assertThat(during.peakBytesInUse()).isGreaterThanOrEqualTo(during.bytesInUse());
            buffers.forEach(backend::release);
            MemoryStats after = backend.memoryStats();
            assertThat(after.bytesInUse()).isEqualTo(before.bytesInUse());
            if (round > 0) {
                // The second and later rounds are served from the cache: nothing new is held.
                assertThat(after.bytesCached()).as("cached bytes after round %d", round)
                        .isEqualTo(cachedAfterFirst[0]);
            } else {
                cachedAfterFirst[0] = after.bytesCached();
                assertThat(after.bytesCached()).isGreaterThanOrEqualTo(before.bytesCached() + 4L * Arrays.stream(sizes).sum());
            }
        }
        backend.emptyCache();
        assertThat(backend.memoryStats().bytesCached()).isZero();
        assertThat(backend.memoryStats().bytesInUse()).isEqualTo(before.bytesInUse());
    }

    private final long[] cachedAfterFirst = new long[1];

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void releasingTwiceIsAnError(String id) {
        Backend backend = BackendsUnderTest.get(id);
        Buffer buffer = backend.allocate(10);
        backend.release(buffer);
        assertThatThrownBy(() -> backend.release(buffer)).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void releaseRightAfterEnqueueIsSafe(String id) {
        // The contract lets a buffer go right after its last op is enqueued; a reused block must not
        // be overwritten before that op ran.
        Backend backend = BackendsUnderTest.get(id);
        int n = 50_000;
        float[] x = random(3, n, -1, 1);
        Buffer out = backend.allocate(n);
        for (int round = 0; round < 5; round++) {
            Buffer tmp = backend.allocate(n);
            backend.upload(x, 0, tmp, 0, n);
            backend.unary(dev.myelin.backend.UnaryOp.SQUARE, tmp, out, n);
            backend.release(tmp);
            Buffer reuse = backend.allocate(n);            // likely the same block
            backend.fill(reuse, 0, n, 1e6f);
            backend.release(reuse);
        }
        float[] result = new float[n];
        backend.download(out, 0, result, 0, n);
        backend.release(out);
        for (int i = 0; i < n; i++) {
            assertThat(result[i]).isEqualTo(x[i] * x[i]);
        }
    }
}
