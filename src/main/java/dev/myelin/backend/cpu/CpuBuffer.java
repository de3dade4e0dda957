package dev.myelin.backend.cpu;

import dev.myelin.backend.Buffer;

/** A CPU buffer is a plain Java array; the array is exactly as long as the buffer. */
public final class CpuBuffer implements Buffer {
    final float[] data;
    boolean released;

    CpuBuffer(float[] data) {
        this.data = data;
    }

    @Override
    public int length() {
        return data.length;
    }

    /** The backing array, for code in this backend and its tests. */
    public float[] array() {
        return data;
    }
}
