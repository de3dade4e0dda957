package dev.myelin.backend;

/**
 * The whole numeric op set of Myelin. Every backend implements exactly this; the framework above
 * ({@code tensor}, {@code autograd}, {@code nn}, {@code optim}) uses nothing else.
 *
 * <p>Conventions, shared by every op:
 * <ul>
 *   <li>All data is float32, contiguous and row-major. A matrix [rows, cols] has element (r, c) at
 *       {@code r * cols + c}. Lengths and offsets count elements, not bytes.</li>
 *   <li>Class labels travel as floats holding small integers (exact up to 2^24).</li>
 *   <li>Ops on GPU backends are asynchronous: they are enqueued in order and return at once. Only
 *       {@link #download} and {@link #synchronize} wait. A buffer may be released right after the last
 *       op that uses it is enqueued; the backend keeps it alive until that op has run.</li>
 *   <li>Output buffers may alias an input only where an op says so.</li>
 *   <li>Every op has a reference definition in the CPU backend; the conformance tests compare every
 *       other backend against it.</li>
 * </ul>
 */
public interface Backend extends AutoCloseable {

    BackendKind kind();

    /** The device this instance runs on. */
    DeviceInfo device();

    /** A short description for logs: "cpu (2 threads, Vector API 512-bit)", "cuda: NVIDIA H100 (cuBLAS)". */
    String description();

    // ---------------------------------------------------------------- memory

    /**
     * A buffer of at least {@code length} floats (its {@link Buffer#length()} is exactly {@code length}),
     * contents undefined. Comes from the backend's caching allocator.
     *
     * @throws BackendException naming the requested size and the device's memory when out of memory
     */
    Buffer allocate(int length);

    /** Returns a buffer to the caching allocator. Releasing twice is an error. */
    void release(Buffer buffer);

    /** What the allocator holds now. */
    MemoryStats memoryStats();

    /** Frees every cached (released) buffer. */
    void emptyCache();

    void upload(float[] src, int srcOffset, Buffer dst, int dstOffset, int length);

    /** Waits for every enqueued op that writes {@code src}, then copies out. */
    void download(Buffer src, int srcOffset, float[] dst, int dstOffset, int length);

    void copy(Buffer src, int srcOffset, Buffer dst, int dstOffset, int length);

    void fill(Buffer dst, int offset, int length, float value);

    /** Waits until every enqueued op has finished. */
    void synchronize();

    // ---------------------------------------------------------------- linear algebra

    /**
     * C = alpha * op(A) * op(B) + beta * C, where op(A) is [m, k], op(B) is [k, n] and C is [m, n].
     * A is stored [m, k] or, when {@code transA}, [k, m]; B is stored [k, n] or, when {@code transB}, [n, k].
     * With beta == 0, C's previous contents are ignored (NaN included).
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float alpha, Buffer a, Buffer b, float beta, Buffer c);

    // ---------------------------------------------------------------- element-wise

    /** y[i] = op(x[i]) for i < n. y may be x. */
    void unary(UnaryOp op, Buffer x, Buffer y, int n);

    /** out = a (op) b, a being [rows, cols] and b laid out as {@code broadcast} says. out may be a. */
    void binary(BinaryOp op, Buffer a, Buffer b, Buffer out, int rows, int cols, Broadcast broadcast);

    /** y[i] = alpha * x[i] + beta * y[i] for i < n; with beta == 0, y's previous contents are ignored. */
    void axpby(float alpha, Buffer x, float beta, Buffer y, int n);

    /** y = act(x + bias), x being [rows, cols] and bias [cols] (or null for none). y may be x. */
    void biasActivation(Buffer x, Buffer bias, Activation act, Buffer y, int rows, int cols);

    /** dx[i] = dy[i] * act'(x[i]), written through the saved output y[i]. dx may be dy. */
    void activationBackward(Activation act, Buffer y, Buffer dy, Buffer dx, int n);

    // ---------------------------------------------------------------- reductions

    /**
     * Reduces an [rows, cols] operand along {@code axis}: axis 0 gives out[cols] (over rows, e.g. a
     * bias gradient), axis 1 gives out[rows] (over columns).
     */
    void reduce(ReduceOp op, Buffer x, Buffer out, int rows, int cols, int axis);

    /** out[r] = index of the largest x[r, c] (first one on ties), as a float. */
    void argmaxRows(Buffer x, Buffer out, int rows, int cols);

    // ---------------------------------------------------------------- softmax and losses

    /** Row-wise softmax of an [rows, cols] operand, numerically stable (max subtracted). y may be x. */
    void softmax(Buffer x, Buffer y, int rows, int cols);

    /**
     * Fused softmax + cross-entropy: probs = softmax(logits) row-wise and losses[r] = -log probs[r, label[r]].
     * Labels are class indices in [0, cols) stored as floats.
     */
    void softmaxCrossEntropy(Buffer logits, Buffer labels, Buffer probs, Buffer losses, int rows, int cols);

    /** dlogits = scale * (probs - onehot(labels)). dlogits may be probs. */
    void softmaxCrossEntropyBackward(Buffer probs, Buffer labels, Buffer dlogits, int rows, int cols, float scale);

    // ---------------------------------------------------------------- optimizer updates (PyTorch semantics)

    /**
     * SGD as torch.optim.SGD (dampening 0): g = grad + weightDecay * p; when momentum != 0,
     * v = momentum * v + g and g = nesterov ? g + momentum * v : v; then p -= lr * g.
     * {@code velocity} may be null when momentum == 0.
     */
    void sgdUpdate(Buffer param, Buffer grad, Buffer velocity, int n,
                   float lr, float momentum, float weightDecay, boolean nesterov);

    /**
     * Adam as torch.optim.Adam, or AdamW when {@code decoupledWeightDecay}. {@code step} counts from 1
     * and sets the bias corrections 1 - beta^step.
     */
    void adamUpdate(Buffer param, Buffer grad, Buffer m, Buffer v, int n,
                    float lr, float beta1, float beta2, float eps, float weightDecay,
                    boolean decoupledWeightDecay, int step);

    /** Releases every device resource. Buffers still held become invalid. */
    @Override
    void close();
}
