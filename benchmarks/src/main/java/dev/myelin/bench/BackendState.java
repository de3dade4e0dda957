package dev.myelin.bench;

import dev.myelin.backend.Backend;
import dev.myelin.backend.Backends;
import dev.myelin.backend.Buffer;
import java.util.SplittableRandom;

/** Opening a backend and filling device buffers, shared by every benchmark's setup. */
final class BackendState {
    private BackendState() {
    }

    static Backend open(String name) {
        return Backends.open(name).backend();
    }

    /** A buffer of uniform values in [lo, hi), uploaded once. */
    static Buffer random(Backend backend, int length, float lo, float hi, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] host = new float[length];
        for (int i = 0; i < length; i++) {
            host[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        }
        Buffer buffer = backend.allocate(length);
        backend.upload(host, 0, buffer, 0, length);
        return buffer;
    }

    /** Parses "ROWSxCOLS" as used by the @Param shapes. */
    static int[] dims(String shape) {
        String[] parts = shape.split("x");
        int[] dims = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            dims[i] = Integer.parseInt(parts[i].trim());
        }
        return dims;
    }
}
