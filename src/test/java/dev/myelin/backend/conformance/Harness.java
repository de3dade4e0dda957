package dev.myelin.backend.conformance;

import dev.myelin.backend.Backend;
import dev.myelin.backend.Buffer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.fail;

/** Inputs, round trips and tolerant comparison for the conformance tests. */
final class Harness {
    private Harness() {
    }

    static float[] random(long seed, int n, float lo, float hi) {
        Random random = new Random(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = lo + (hi - lo) * random.nextFloat();
        }
        return out;
    }

    static float[] filled(int n, float value) {
        float[] out = new float[n];
        Arrays.fill(out, value);
        return out;
    }

    /** Buffers uploaded for one op run; released together. */
    static final class Session implements AutoCloseable {
        final Backend backend;
        private final List<Buffer> buffers = new ArrayList<>();

        Session(Backend backend) {
            this.backend = backend;
        }

        Buffer upload(float[] data) {
            Buffer buffer = backend.allocate(data.length);
            backend.upload(data, 0, buffer, 0, data.length);
            buffers.add(buffer);
            return buffer;
        }

        Buffer allocate(int n) {
            Buffer buffer = backend.allocate(n);
            buffers.add(buffer);
            return buffer;
        }

        float[] download(Buffer buffer) {
            float[] out = new float[buffer.length()];
            backend.download(buffer, 0, out, 0, out.length);
            return out;
        }

        @Override
        public void close() {
            for (Buffer buffer : buffers) {
                backend.release(buffer);
            }
        }
    }

    /**
     * Asserts |actual - expected| <= abs + rel * |expected| element by element (NaN matches NaN,
     * infinities must match exactly), reporting the first few offenders.
     */
    static void assertClose(String what, float[] actual, float[] expected, double rel, double abs) {
        if (actual.length != expected.length) {
            fail(what + ": length " + actual.length + " != expected " + expected.length);
        }
        StringBuilder errors = new StringBuilder();
        int bad = 0;
        for (int i = 0; i < actual.length; i++) {
            float a = actual[i];
            float e = expected[i];
            boolean ok;
            if (Float.isNaN(e) || Float.isInfinite(e)) {
                ok = Float.compare(a, e) == 0 || (Float.isNaN(a) && Float.isNaN(e));
            } else {
                ok = Math.abs((double) a - e) <= abs + rel * Math.abs(e);
            }
            if (!ok) {
                if (bad++ < 5) {
                    errors.append(String.format("%n  [%d] got %s, expected %s (diff %.3g)", i, a, e, Math.abs((double) a - e)));
                }
            }
        }
        if (bad > 0) {
            fail(String.format("%s: %d of %d elements outside tolerance (rel %.1g, abs %.1g):%s",
                    what, bad, actual.length, rel, abs, errors));
        }
    }
}
