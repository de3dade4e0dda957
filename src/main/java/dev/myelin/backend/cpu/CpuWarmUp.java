package dev.myelin.backend.cpu;

/**
 * Compiles the CPU backend's Vector API kernels before the first training step, on a background
 * thread, while the caller does something else (the CLI loads MNIST meanwhile).
 *
 * <p>Why: until C2 compiles them, Vector API kernels run in the interpreter or C1, where every vector
 * is a boxed object; the first MNIST MLP steps then take seconds instead of milliseconds, and that
 * was most of the time from JVM start to the first step. Warming on small operands costs a few hundred
 * milliseconds of one core and leaves compiled code that every later call uses.
 */
public final class CpuWarmUp {
    /** A call this fast means C2 has compiled the kernels; interpreted calls take milliseconds. */
    private static final long COMPILED_NANOS = 200_000;
    /** Consecutive fast calls before the kernels count as compiled. */
    private static final int FAST_CALLS = 20;
    /** Never warm longer than this, whatever the timings say (a very slow or very busy machine). */
    private static final long MAX_NANOS = 3_000_000_000L;

    private static volatile Thread thread;

    private CpuWarmUp() {
    }

    /** Starts warming on a daemon thread, once per process; returns at once. No-op without the Vector API. */
    public static synchronized void start() {
        if (thread != null || !VectorSupport.available()) {
            return;
        }
        Thread t = new Thread(CpuWarmUp::run, "myelin-cpu-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        thread = t;
        t.start();
    }

    private static void run() {
        int len = VectorSgemm.warmUpOperandLength();
        float[] a = new float[len];
        float[] b = new float[len];
        float[] c = new float[len];
        for (int i = 0; i < len; i++) {
            a[i] = (i % 17) * 0.01f;
            b[i] = (i % 13) * 0.01f;
        }
        int adamLength = 4096;
        float[] p = new float[adamLength];
        float[] g = new float[adamLength];
        float[] m = new float[adamLength];
        float[] v = new float[adamLength];
        java.util.Arrays.fill(g, 0.01f);
        ConvWarmUp conv = new ConvWarmUp();
        long start = System.nanoTime();
        int fast = 0;
        while (fast < FAST_CALLS && System.nanoTime() - start < MAX_NANOS) {
            long t0 = System.nanoTime();
            VectorSgemm.warmUpOnce(a, b, c);
            VectorAdam.update(p, g, m, v, 0, adamLength, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false, 1e-3f, 1f);
            conv.once();
            fast = System.nanoTime() - t0 < COMPILED_NANOS ? fast + 1 : 0;
        }
    }

    /** The convolution, pooling and dropout kernels on one small (4-channel, 26 x 26) plane each. */
    private static final class ConvWarmUp {
        private static final int CHANNELS = 4;
        private static final int SIDE = 26;
        private static final int PLANE = SIDE * SIDE;
        private static final int PATCH = 9;
        private final float[] col = new float[PATCH * PLANE];
        private final float[] weight = new float[CHANNELS * PATCH];
        private final float[] dweight = new float[CHANNELS * PATCH];
        private final float[] y = new float[CHANNELS * PLANE];
        private final float[] pooled = new float[CHANNELS * (SIDE / 2) * (SIDE / 2)];
        private final float[] poolIndex = new float[pooled.length];
        private final float[] mask = new float[y.length];
        private final float[] dropped = new float[y.length];

        ConvWarmUp() {
            for (int i = 0; i < col.length; i++) {
                col[i] = (i % 11) * 0.01f - 0.05f;
            }
            java.util.Arrays.fill(weight, 0.1f);
        }

        void once() {
            VectorConvKernels.smallPatchProduct(CHANNELS, PATCH, PLANE, weight, col, y, 0);
            VectorConvKernels.biasActivation(y, 0, y, 0, y.length, 0.01f, true);
            VectorConvKernels.biasActivation(y, 0, y, 0, y.length, 0.01f, false);
            VectorConvKernels.smallPatchWeightGradient(CHANNELS, PATCH, PLANE, y, 0, col, dweight);
            VectorConvKernels.sum(y, 0, y.length);
            VectorConvKernels.addInto(y, 0, dropped, 0, y.length);
            VectorConvKernels.maxPool2x2(y, pooled, poolIndex, 0, CHANNELS, SIDE, SIDE, SIDE / 2, SIDE / 2);
            VectorDropout.dropout(y, dropped, mask, 0, y.length, 0.25f, 4f / 3f, 42L);
        }
    }
}
