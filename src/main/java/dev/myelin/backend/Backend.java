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

    // ---------------------------------------------------------------- convolution and pooling (NCHW)

    /**
     * 2-D convolution (PyTorch's conv2d, cross-correlation) fused with a bias and an activation:
     * y[n, o, i, j] = act(bias[o] + sum over c, p, q of
     * x[n, c, i * stride - padding + p, j * stride - padding + q] * weight[o, c, p, q]),
     * positions outside the input counting as zero. x is [batch, inChannels, height, width], weight
     * [outChannels, inChannels, kernel, kernel], bias [outChannels] or null for none, y
     * [batch, outChannels, outHeight, outWidth] (see {@link Conv2dGeometry}). y must not alias x.
     * Backends may use temporary workspace (im2col) from their allocator.
     */
    void conv2d(Conv2dGeometry g, Buffer x, Buffer weight, Buffer bias, Activation act, Buffer y);

    /**
     * Gradients of {@link #conv2d} without its activation (apply {@link #activationBackward} to dy
     * first): given dy [batch, outChannels, outHeight, outWidth], writes (overwrites, not accumulates)
     * dx [batch, inChannels, height, width] = the transposed convolution of dy with weight (col2im),
     * dweight [outChannels, inChannels, kernel, kernel] = sum over the batch of dy (x) im2col(x), and
     * dbias [outChannels] = dy summed over batch and positions. Each of dx, dweight and dbias may be
     * null when that gradient is not wanted (then the input it needs, x for dweight or weight for dx,
     * may be null too).
     */
    void conv2dBackward(Conv2dGeometry g, Buffer x, Buffer weight, Buffer dy,
                        Buffer dx, Buffer dweight, Buffer dbias);

    /**
     * Max pooling: y[n, c, i, j] = the largest x[n, c, i * stride - padding + p, j * stride - padding + q]
     * over the window positions p, q in [0, kernel) that fall inside the input (padding never wins).
     * {@code indices} (same shape as y, or null when no backward will run) receives the position of
     * that maximum within its input plane, h * width + w, as a float; the first one in row-major
     * window order wins ties; NaN inputs are not supported.
     */
    void maxPool2d(Pool2dGeometry g, Buffer x, Buffer y, Buffer indices);

    /**
     * Gradient of {@link #maxPool2d}: dx (overwritten, [batch, channels, height, width]) receives, at
     * each input position, the sum of dy over the outputs whose saved index points at it; zero elsewhere.
     */
    void maxPool2dBackward(Pool2dGeometry g, Buffer dy, Buffer indices, Buffer dx);

    /**
     * Average pooling as PyTorch's avg_pool2d with count_include_pad=True: y = the sum of the window's
     * input values (padding contributes zeros) divided by kernel * kernel.
     */
    void avgPool2d(Pool2dGeometry g, Buffer x, Buffer y);

    /** Gradient of {@link #avgPool2d}: dx (overwritten) = sum over the windows covering each input of dy / kernel^2. */
    void avgPool2dBackward(Pool2dGeometry g, Buffer dy, Buffer dx);

    // ---------------------------------------------------------------- regularisation and normalisation

    /**
     * Inverted dropout with the device RNG: mask[i] = {@link DeviceRandom#uniform}(seed, i) >= p ? scale : 0
     * and y[i] = x[i] * mask[i], for i < n, where the caller passes scale = 1 / (1 - p) (as a float, so
     * every backend multiplies by the same value). Every backend produces the same mask bit for bit
     * for the same (seed, p). y may be x. The backward is dx = dy * mask ({@link #binary} MUL).
     */
    void dropout(Buffer x, Buffer y, Buffer mask, int n, float p, float scale, long seed);

    /**
     * Batch normalisation over the channel axis of x viewed as [batch, channels, spatial] (spatial = 1
     * for BatchNorm1d on [N, C], H * W for BatchNorm2d), as torch.nn.functional.batch_norm.
     * <ul>
     *   <li>training: per channel, the batch mean and biased variance over batch * spatial values;
     *       y = (x - mean) * invStd * gamma + beta with invStd = 1 / sqrt(var + eps); saveMean and
     *       saveInvStd [channels] receive mean and invStd for the backward; when runningMean and
     *       runningVar are not null they are updated in place: running = (1 - momentum) * running +
     *       momentum * stat, with the unbiased variance var * m / (m - 1) (m = batch * spatial; the
     *       biased one when m == 1).</li>
     *   <li>eval ({@code training} false): y = (x - runningMean) / sqrt(runningVar + eps) * gamma + beta;
     *       saveMean and saveInvStd may be null and are not written.</li>
     * </ul>
     * gamma and beta are [channels]; y may be x.
     */
    void batchNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer saveMean, Buffer saveInvStd,
                   Buffer runningMean, Buffer runningVar, int batch, int channels, int spatial,
                   boolean training, float momentum, float eps);

    /**
     * Gradient of training-mode {@link #batchNorm}, from the saved mean and invStd: with
     * xhat = (x - mean) * invStd and m = batch * spatial, per channel dbeta = sum(dy),
     * dgamma = sum(dy * xhat) and dx = gamma * invStd / m * (m * dy - dbeta - xhat * dgamma).
     * dx, dgamma and dbeta are overwritten; dgamma and dbeta may be null (not wanted), dx too.
     */
    void batchNormBackward(Buffer x, Buffer dy, Buffer gamma, Buffer saveMean, Buffer saveInvStd,
                           Buffer dx, Buffer dgamma, Buffer dbeta, int batch, int channels, int spatial);

    // ---------------------------------------------------------------- sequence models

    /**
     * Batched {@link #gemm}: for i < batch, C_i = alpha * op(A_i) * op(B_i) + beta * C_i, where operand X_i
     * starts at element i * strideX of X (a stride of 0 shares one operand across the batch). Each
     * matrix is stored as {@link #gemm} says. Attention's scores (Q K^T) and context (P V) per head.
     */
    void gemmBatched(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     Buffer a, int strideA, Buffer b, int strideB, float beta, Buffer c, int strideC, int batch);

    /**
     * Strided 3-D copy: for b < batches, r < rows, j < cols,
     * dst[dstOffset + b * dstBatchStride + r * dstRowStride + j] = src[srcOffset + b * srcBatchStride
     * + r * srcRowStride + j], plus the previous dst value when {@code accumulate}. src and dst must
     * not overlap. Slices time steps and gates, concatenates, splits and merges attention heads.
     */
    void copyStrided(Buffer src, int srcOffset, int srcBatchStride, int srcRowStride,
                     Buffer dst, int dstOffset, int dstBatchStride, int dstRowStride,
                     int batches, int rows, int cols, boolean accumulate);

    /**
     * Causal softmax along rows of an [rows, cols] operand made of square [cols, cols] blocks (attention
     * scores): row r is query position i = r % cols and sees only columns j <= i;
     * y[r, j] = exp(scale * x[r, j] - max) / sum over visible columns, and 0 for j > i. y may be x.
     */
    void causalSoftmax(Buffer x, Buffer y, int rows, int cols, float scale);

    /**
     * Gradient of a row-wise softmax from its output: dx[r, j] = scale * y[r, j] * (dy[r, j] - sum over c of
     * dy[r, c] * y[r, c]). Masked positions (y = 0) get 0. dx may be dy.
     */
    void softmaxBackward(Buffer y, Buffer dy, Buffer dx, int rows, int cols, float scale);

    /**
     * Layer normalisation over the last axis of x [rows, cols], as torch.nn.functional.layer_norm:
     * y = (x - mean) * invStd * gamma + beta with the biased variance and invStd = 1 / sqrt(var + eps);
     * saveMean and saveInvStd [rows] receive mean and invStd for the backward (either may be null when
     * no backward will run). gamma and beta are [cols]. y may be x.
     */
    void layerNorm(Buffer x, Buffer gamma, Buffer beta, Buffer y, Buffer saveMean, Buffer saveInvStd,
                   int rows, int cols, float eps);

    /**
     * Gradient of {@link #layerNorm}: with xhat = (x - mean) * invStd, dgamma[c] = sum over rows of
     * dy * xhat, dbeta[c] = sum over rows of dy (both overwritten), and dx = invStd / cols *
     * (cols * g - sum(g) - xhat * sum(g * xhat)) per row with g = dy * gamma. Any of dx, dgamma and
     * dbeta may be null when not wanted.
     */
    void layerNormBackward(Buffer x, Buffer dy, Buffer gamma, Buffer saveMean, Buffer saveInvStd,
                           Buffer dx, Buffer dgamma, Buffer dbeta, int rows, int cols);

    /**
     * Embedding gather: out[i, :] = table[ids[i], :] for i < n, rows of {@code dim} floats; ids hold
     * row indices as floats. The caller checks the ids are in range.
     */
    void embedding(Buffer table, Buffer ids, Buffer out, int n, int dim);

    /**
     * Embedding scatter-add: dTable [vocab, dim] is overwritten with dTable[v, :] = the sum of dOut[i, :]
     * over every i < n with ids[i] == v (in ascending i, so every backend gives the same sums), 0 for
     * rows no id names.
     */
    void embeddingBackward(Buffer dOut, Buffer ids, Buffer dTable, int n, int dim, int vocab);

    /**
     * dx[i] = dy[i] * op'(x[i]) for i < n, the derivative taken at the input (GELU's needs it); see
     * {@link UnaryOp#derivative}. dx may be dy.
     */
    void unaryBackward(UnaryOp op, Buffer x, Buffer dy, Buffer dx, int n);

    /**
     * One LSTM step for [batch, hidden] state, PyTorch's gate order i, f, g, o: {@code gates}
     * [batch, 4 * hidden] holds the pre-activations (x W_ih^T + b_ih + h W_hh^T + b_hh) and is
     * overwritten in place with the activations (sigmoid i, f, o; tanh g), which the backward reads;
     * c = f * cPrev + i * g and h = o * tanh(c). c and h must not alias cPrev.
     */
    void lstmCell(Buffer gates, Buffer cPrev, Buffer c, Buffer h, int batch, int hidden);

    /**
     * Gradient of {@link #lstmCell} from its activated gates, cPrev and c: with
     * dcTotal = dc + dh * o * (1 - tanh(c)^2) (dc, the gradient reaching c from the next step, may be null
     * for 0), writes the pre-activation gradients dGates [batch, 4 * hidden] = (dcTotal * g * i(1-i),
     * dcTotal * cPrev * f(1-f), dcTotal * i * (1-g^2), dh * tanh(c) * o(1-o)) and dcPrev = dcTotal * f.
     * dcPrev may be dc.
     */
    void lstmCellBackward(Buffer gates, Buffer cPrev, Buffer c, Buffer dh, Buffer dc,
                          Buffer dGates, Buffer dcPrev, int batch, int hidden);

    /**
     * One GRU step as torch.nn.GRU, gate order r, z, n: xg [batch, 3 * hidden] = x W_ih^T + b_ih and
     * hg [batch, 3 * hidden] = hPrev W_hh^T + b_hh; r = sigmoid(xg_r + hg_r), z = sigmoid(xg_z + hg_z),
     * n = tanh(xg_n + r * hg_n), h = (1 - z) * n + z * hPrev. {@code saved} [batch, 3 * hidden]
     * receives (r, z, n) for the backward. h must not alias hPrev.
     */
    void gruCell(Buffer xg, Buffer hg, Buffer hPrev, Buffer h, Buffer saved, int batch, int hidden);

    /**
     * Gradient of {@link #gruCell}: given dh, writes dxg and dhg [batch, 3 * hidden], the gradients of
     * xg and hg (with dnPre = dh * (1 - z) * (1 - n^2): dxg = (drPre, dzPre, dnPre) and
     * dhg = (drPre, dzPre, dnPre * r), where drPre = dnPre * hg_n * r(1-r) and
     * dzPre = dh * (hPrev - n) * z(1-z)), and dhPrev = dh * z, the direct path only (the caller adds
     * dhg W_hh).
     */
    void gruCellBackward(Buffer saved, Buffer hg, Buffer hPrev, Buffer dh,
                         Buffer dxg, Buffer dhg, Buffer dhPrev, int batch, int hidden);

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

    /**
     * Adadelta as torch.optim.Adadelta: g = grad + weightDecay * p; squareAvg = rho * squareAvg +
     * (1 - rho) * g^2; delta = sqrt(accDelta + eps) / sqrt(squareAvg + eps) * g; accDelta = rho * accDelta
     * + (1 - rho) * delta^2; p -= lr * delta.
     */
    void adadeltaUpdate(Buffer param, Buffer grad, Buffer squareAvg, Buffer accDelta, int n,
                        float lr, float rho, float eps, float weightDecay);

    /** Releases every device resource. Buffers still held become invalid. */
    @Override
    void close();
}
