package dev.myelin.backend.cpu;

/**
 * Compiles the CPU backend's Vector API kernels before the first training step, on a background
 * thread, while the caller does something else (the CLI loads MNIST meanwhile).
 *
 * <p>Why: until C2 compiles them, Vector API kernels run in the interpreter or C1, where every vector
 * is a boxed object; the first MNIST MLP steps then take seconds instead of milliseconds. C2 compiles
 * a method once it has been called some thousands of times, so the warm-up calls each kernel's leaves
 * on tiny operands (see {@link VectorSgemm.WarmUp}): a round costs tens of microseconds while boxed and
 * a few once compiled, which is how the loop knows it is done. Warming with whole small products
 * instead (k = 265, the former warm-up) spent ~2 s of one core in boxed code and left the first MLP
 * epoch at 3.3 s where later epochs took 1.6 s; leaf-first, the warm-up ends about 0.6 s after it
 * starts and the first epoch is within ~0.3 s of the later ones.
 */
public final class CpuWarmUp {
    /** A round this fast means C2 has compiled the kernels; boxed rounds take tens of microseconds. */
    private static final long COMPILED_NANOS = Long.getLong("myelin.warmup.compiledNanos", 8_000);
    /** Consecutive fast rounds before the kernels count as compiled. */
    private static final int FAST_ROUNDS = 50;
    /** Never warm longer than this, whatever the timings say (a very slow or very busy machine). */
    private static final long MAX_NANOS = 3_000_000_000L;
    private static final boolean TRACE = Boolean.getBoolean("myelin.warmup.trace");

    /** Which kernels a run will use: every run multiplies matrices, a CNN also convolves. */
    public enum Kernels { DENSE, CONVOLUTION }

    /** The process's warm-up, the one the static methods drive. */
    private static final CpuWarmUp PROCESS = new CpuWarmUp();

    private volatile Thread thread;
    private volatile boolean stopped;
    /** Whether the convolution kernels are to be warmed too: a run may ask for them after starting dense. */
    private volatile boolean convolution;
    /** Whether a warm-up thread is still going to read {@link #convolution}; guarded by this object's lock. */
    private boolean running;
    /** Rounds that included the convolution kernels (for tests). */
    private volatile long convolutionRounds;

    CpuWarmUp() {
    }

    /**
     * Starts warming on a daemon thread, once per process; returns at once. No-op without the Vector API.
     * Asking for {@link Kernels#CONVOLUTION} after a dense start adds them to the warm-up, restarting it if it
     * had already finished (the CLI starts dense before it has parsed which model will run).
     */
    public static void start(Kernels kernels) {
        PROCESS.begin(kernels);
    }

    /**
     * Ends a started warm-up after its current round: for a caller that started it on a guess (train with
     * {@code auto}, before probing has said whether a GPU will run) and then learned the CPU will not.
     * A warm-up stopped stays stopped.
     */
    public static void stop() {
        PROCESS.end();
    }

    /** Waits for a started warm-up to finish (at most its few-second cap); returns at once if none was started. */
    public static void awaitDone() {
        PROCESS.await();
    }

    synchronized void begin(Kernels kernels) {
        if (!VectorSupport.available()) {
            return;
        }
        boolean addsConvolution = kernels == Kernels.CONVOLUTION && !convolution;
        convolution |= kernels == Kernels.CONVOLUTION;
        if (thread == null || (addsConvolution && !running && !stopped)) {
            running = true;
            Thread t = new Thread(this::run, "myelin-cpu-warmup");
            t.setDaemon(true);
            thread = t;
            t.start();
        }
    }

    void end() {
        stopped = true;
    }

    void await() {
        Thread t = thread;
        if (t == null) {
            return;
        }
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    long convolutionRounds() {
        return convolutionRounds;
    }

    private void run() {
        VectorSgemm.WarmUp gemm = new VectorSgemm.WarmUp();
        int length = 51; // whole vectors (of 4, 8 or 16 floats) and a scalar tail
        float[] p = new float[length];
        float[] g = new float[length];
        float[] m = new float[length];
        float[] v = new float[length];
        java.util.Arrays.fill(g, 0.01f);
        for (int i = 0; i < length; i++) {
            p[i] = (i % 3) - 1f;
        }
        ConvWarmUp conv = null;
        long start = System.nanoTime();
        int fast = 0;
        for (long round = 0; ; round++) {
            if (conv == null && convolution) {
                conv = new ConvWarmUp();
                fast = 0; // the dense rounds' speed says nothing of the convolution kernels
            }
            if (fast >= FAST_ROUNDS || stopped || System.nanoTime() - start >= MAX_NANOS) {
                // Decided under the lock begin() takes, so a request for the convolution kernels made
                // meanwhile is either seen here or finds the warm-up ended and starts it again.
                synchronized (this) {
                    if (!convolution || conv != null || stopped || System.nanoTime() - start >= MAX_NANOS) {
                        running = false;
                        break;
                    }
                }
                continue;
            }
            long t0 = System.nanoTime();
            gemm.once();
            VectorAdam.update(p, g, m, v, 0, length, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false, 1e-3f, 1f);
            VectorActivations.reluBackward(p, g, v, 0, length);
            if (conv != null) {
                conv.once();
                convolutionRounds++;
            }
            long elapsed = System.nanoTime() - t0;
            fast = elapsed < COMPILED_NANOS ? fast + 1 : 0;
            if (round % 16 == 0) {
                // The callers of the leaves, less often: they run no vector code of their own.
                gemm.products();
            }
            if (TRACE && (round & (round - 1)) == 0) {
                System.err.printf("warm-up round %d at %.0f ms: %.1f us%n", round, (System.nanoTime() - start) / 1e6, elapsed / 1e3);
            }
        }
        if (TRACE) {
            System.err.printf("warm-up done at %.0f ms%n", (System.nanoTime() - start) / 1e6);
        }
    }

    /**
     * The convolution, pooling and dropout kernels on one small (4-channel, 12 x 12) plane each: every
     * path, little boxed work. The plane must pool to more outputs than a vector holds (6 x 6 = 36 here):
     * at 6 x 6 (9 outputs) max-pooling's vector loop never ran, C2 compiled it only in training, and the
     * CNN's first hundred steps spent ~1 s in boxed max-pooling.
     */
    private static final class ConvWarmUp {
        private static final int CHANNELS = 4;
        private static final int SIDE = 12;
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
