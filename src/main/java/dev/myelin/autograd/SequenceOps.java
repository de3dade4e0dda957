package dev.myelin.autograd;

import dev.myelin.backend.Backend;
import dev.myelin.backend.UnaryOp;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

import java.util.Arrays;

import static dev.myelin.autograd.Recording.like;
import static dev.myelin.autograd.Recording.record;
import static dev.myelin.autograd.Recording.recording;
import static dev.myelin.autograd.Recording.requireSameBackend;

/**
 * The differentiable ops of sequence models (embeddings, attention, layer norm, shape copies), in
 * the manner of {@link Ops}: forward and backward are backend ops only. The recurrent layers are in
 * {@link RecurrentOps}.
 *
 * <p>Lifetime: every tensor these ops return, and every tensor a forward saves for its backward,
 * belongs to the scope open when the op runs (as with {@link Ops}).
 */
public final class SequenceOps {
    private SequenceOps() {
    }

    // ---------------------------------------------------------------- embeddings and normalisation

    /**
     * out = table[ids]: table [vocab, dim], ids of any shape holding row indices as floats; out is
     * ids.shape + [dim]. The ids are not differentiated. Ids out of range are the caller's to avoid
     * (checking them here would read them back from the device); the CPU backend rejects them.
     */
    public static Tensor embedding(Tensor table, Tensor ids) {
        requireSameBackend("embedding", table, ids);
        if (table.shape().rank() != 2) {
            throw new IllegalArgumentException("embedding: table must be [vocab, dim], got " + table.shape());
        }
        int vocab = table.dim(0);
        int dim = table.dim(1);
        int n = ids.size();
        int[] idDims = ids.shape().dims();
        int[] outDims = Arrays.copyOf(idDims, idDims.length + 1);
        outDims[idDims.length] = dim;
        Backend be = table.backend();
        Tensor out = Tensor.empty(be, Shape.of(outDims));
        be.embedding(table.buffer(), ids.buffer(), out.buffer(), n, dim);
        if (recording(table)) {
            record(out, "embedding", new Tensor[]{table}, g -> {
                Tensor dTable = like(table);
                be.embeddingBackward(g.buffer(), ids.buffer(), dTable.buffer(), n, dim, vocab);
                return new Tensor[]{dTable};
            });
        }
        return out;
    }

    /** Layer normalisation over the last axis; gamma and beta [lastDim]. */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        requireSameBackend("layer_norm", x, gamma, beta);
        int cols = x.shape().cols();
        int rows = x.shape().rows();
        if (gamma.size() != cols || beta.size() != cols || gamma.shape().rank() != 1 || beta.shape().rank() != 1) {
            throw new IllegalArgumentException("layer_norm: gamma " + gamma.shape() + " and beta " + beta.shape()
                    + " must both be [" + cols + "] for an input of shape " + x.shape());
        }
        Backend be = x.backend();
        Tensor y = like(x);
        boolean rec = recording(x, gamma, beta);
        Tensor mean = rec ? Tensor.empty(be, rows) : null;
        Tensor invStd = rec ? Tensor.empty(be, rows) : null;
        be.layerNorm(x.buffer(), gamma.buffer(), beta.buffer(), y.buffer(),
                rec ? mean.buffer() : null, rec ? invStd.buffer() : null, rows, cols, eps);
        if (rec) {
            record(y, "layer_norm", new Tensor[]{x, gamma, beta}, g -> {
                Tensor dx = x.requiresGrad() ? like(x) : null;
                Tensor dgamma = gamma.requiresGrad() ? like(gamma) : null;
                Tensor dbeta = beta.requiresGrad() ? like(beta) : null;
                be.layerNormBackward(x.buffer(), g.buffer(), gamma.buffer(), mean.buffer(), invStd.buffer(),
                        dx == null ? null : dx.buffer(), dgamma == null ? null : dgamma.buffer(),
                        dbeta == null ? null : dbeta.buffer(), rows, cols);
                return new Tensor[]{dx, dgamma, dbeta};
            });
        }
        return y;
    }

    /** GELU, tanh approximation (torch.nn.GELU(approximate='tanh')). */
    public static Tensor gelu(Tensor x) {
        Backend be = x.backend();
        Tensor y = like(x);
        be.unary(UnaryOp.GELU, x.buffer(), y.buffer(), x.size());
        if (recording(x)) {
            record(y, "gelu", new Tensor[]{x}, g -> {
                Tensor dx = like(x);
                be.unaryBackward(UnaryOp.GELU, x.buffer(), g.buffer(), dx.buffer(), x.size());
                return new Tensor[]{dx};
            });
        }
        return y;
    }

    // ---------------------------------------------------------------- attention

    /**
     * Batched matrix product: a [batch, m, k] (or [batch, k, m] when transA), b [batch, k, n] (or
     * [batch, n, k] when transB), giving [batch, m, n]. "batch" may be several leading dimensions
     * ([B, heads, T, D]); a and b must have the same ones.
     */
    public static Tensor bmm(Tensor a, Tensor b, boolean transA, boolean transB) {
        requireSameBackend("bmm", a, b);
        Shape as = a.shape();
        Shape bs = b.shape();
        if (as.rank() < 3 || as.rank() != bs.rank()
                || !Arrays.equals(Arrays.copyOf(as.dims(), as.rank() - 2), Arrays.copyOf(bs.dims(), bs.rank() - 2))) {
            throw new IllegalArgumentException("bmm: operands " + as + " and " + bs
                    + " must be [batch..., rows, cols] with the same batch dimensions");
        }
        int m = transA ? as.dim(-1) : as.dim(-2);
        int k = transA ? as.dim(-2) : as.dim(-1);
        int kb = transB ? bs.dim(-1) : bs.dim(-2);
        int n = transB ? bs.dim(-2) : bs.dim(-1);
        if (k != kb) {
            throw new IllegalArgumentException("bmm: " + as + (transA ? "^T" : "") + " times " + bs + (transB ? "^T" : "")
                    + ": inner dimensions " + k + " and " + kb + " differ");
        }
        int batch = product(as.dims(), 0, as.rank() - 2);
        int[] outDims = as.dims();
        outDims[outDims.length - 2] = m;
        outDims[outDims.length - 1] = n;
        Backend be = a.backend();
        Tensor c = Tensor.empty(be, Shape.of(outDims));
        int sa = m * k;
        int sb = k * n;
        int sc = m * n;
        be.gemmBatched(transA, transB, m, n, k, 1f, a.buffer(), sa, b.buffer(), sb, 0f, c.buffer(), sc, batch);
        if (recording(a, b)) {
            int batches = batch;
            record(c, "bmm", new Tensor[]{a, b}, g -> {
                Tensor da = null;
                Tensor db = null;
                if (a.requiresGrad()) {
                    da = like(a);
                    if (!transA) {
                        // dA = G op(B)^T
                        be.gemmBatched(false, !transB, m, k, n, 1f, g.buffer(), sc, b.buffer(), sb, 0f, da.buffer(), sa, batches);
                    } else {
                        // A stored [k, m]: dA = op(B) G^T
                        be.gemmBatched(transB, true, k, m, n, 1f, b.buffer(), sb, g.buffer(), sc, 0f, da.buffer(), sa, batches);
                    }
                }
                if (b.requiresGrad()) {
                    db = like(b);
                    if (!transB) {
                        // dB = op(A)^T G
                        be.gemmBatched(!transA, false, k, n, m, 1f, a.buffer(), sa, g.buffer(), sc, 0f, db.buffer(), sb, batches);
                    } else {
                        // B stored [n, k]: dB = G^T op(A)
                        be.gemmBatched(true, transA, n, k, m, 1f, g.buffer(), sc, a.buffer(), sa, 0f, db.buffer(), sb, batches);
                    }
                }
                return new Tensor[]{da, db};
            });
        }
        return c;
    }

    /** Causal softmax of attention scores [..., T, T] along the last axis, after multiplying by {@code scale}. */
    public static Tensor causalSoftmax(Tensor scores, float scale) {
        Shape s = scores.shape();
        if (s.rank() < 2 || s.dim(-1) != s.dim(-2)) {
            throw new IllegalArgumentException("causal_softmax: scores must be [..., T, T], got " + s);
        }
        int rows = s.rows();
        int cols = s.cols();
        Backend be = scores.backend();
        Tensor y = like(scores);
        be.causalSoftmax(scores.buffer(), y.buffer(), rows, cols, scale);
        if (recording(scores)) {
            record(y, "causal_softmax", new Tensor[]{scores}, g -> {
                Tensor dx = like(scores);
                be.softmaxBackward(y.buffer(), g.buffer(), dx.buffer(), rows, cols, scale);
                return new Tensor[]{dx};
            });
        }
        return y;
    }

    // ---------------------------------------------------------------- shape ops (copies)

    private static int product(int[] dims, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) {
            p *= dims[i];
        }
        return p;
    }

    private static int axis(String op, Shape shape, int axis) {
        int a = axis < 0 ? shape.rank() + axis : axis;
        if (a < 0 || a >= shape.rank()) {
            throw new IllegalArgumentException(op + ": axis " + axis + " out of range for shape " + shape);
        }
        return a;
    }

    /** x[..., start:start+length, ...] along {@code axis}, copied to a new tensor. */
    public static Tensor slice(Tensor x, int axis, int start, int length) {
        int ax = axis("slice", x.shape(), axis);
        int[] dims = x.shape().dims();
        if (start < 0 || length < 0 || start + length > dims[ax]) {
            throw new IllegalArgumentException("slice: [" + start + ", " + (start + length) + ") along axis " + axis
                    + " is outside shape " + x.shape());
        }
        int outer = product(dims, 0, ax);
        int inner = product(dims, ax + 1, dims.length);
        int full = dims[ax];
        int[] outDims = dims.clone();
        outDims[ax] = length;
        Backend be = x.backend();
        Tensor y = Tensor.empty(be, Shape.of(outDims));
        be.copyStrided(x.buffer(), start * inner, full * inner, 0, y.buffer(), 0, length * inner, 0,
                outer, 1, length * inner, false);
        if (recording(x)) {
            record(y, "slice", new Tensor[]{x}, g -> {
                Tensor dx = like(x);
                be.fill(dx.buffer(), 0, dx.size(), 0f);
                be.copyStrided(g.buffer(), 0, length * inner, 0, dx.buffer(), start * inner, full * inner, 0,
                        outer, 1, length * inner, false);
                return new Tensor[]{dx};
            });
        }
        return y;
    }

    /** Concatenation along {@code axis}; all other dimensions must match. */
    public static Tensor concat(int axis, Tensor... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concat: no tensors given");
        }
        requireSameBackend("concat", parts);
        int ax = axis("concat", parts[0].shape(), axis);
        int[] first = parts[0].shape().dims();
        int total = 0;
        for (Tensor p : parts) {
            int[] d = p.shape().dims();
            boolean ok = d.length == first.length;
            for (int i = 0; ok && i < d.length; i++) {
                ok = i == ax || d[i] == first[i];
            }
            if (!ok) {
                throw new IllegalArgumentException("concat along axis " + axis + ": shapes "
                        + Arrays.toString(Arrays.stream(parts).map(Tensor::shape).toArray()) + " differ off that axis");
            }
            total += d[ax];
        }
        int outer = product(first, 0, ax);
        int inner = product(first, ax + 1, first.length);
        int[] outDims = first.clone();
        outDims[ax] = total;
        Backend be = parts[0].backend();
        Tensor y = Tensor.empty(be, Shape.of(outDims));
        int[] offsets = new int[parts.length];
        int at = 0;
        for (int i = 0; i < parts.length; i++) {
            offsets[i] = at;
            int len = parts[i].dim(ax);
            be.copyStrided(parts[i].buffer(), 0, len * inner, 0, y.buffer(), at * inner, total * inner, 0,
                    outer, 1, len * inner, false);
            at += len;
        }
        if (recording(parts)) {
            int totalLen = total;
            record(y, "concat", parts.clone(), g -> {
                Tensor[] grads = new Tensor[parts.length];
                for (int i = 0; i < parts.length; i++) {
                    if (!parts[i].requiresGrad()) {
                        continue;
                    }
                    int len = parts[i].dim(ax);
                    grads[i] = like(parts[i]);
                    be.copyStrided(g.buffer(), offsets[i] * inner, totalLen * inner, 0, grads[i].buffer(), 0, len * inner, 0,
                            outer, 1, len * inner, false);
                }
                return grads;
            });
        }
        return y;
    }

    /** [a, b, c, d] to [a, c, b, d]: splits attention heads ([B, T, H, D] to [B, H, T, D]) and merges them back. */
    public static Tensor transpose12(Tensor x) {
        if (x.shape().rank() != 4) {
            throw new IllegalArgumentException("transpose12: needs a rank-4 tensor [a, b, c, d], got " + x.shape());
        }
        Tensor y = Tensor.empty(x.backend(), x.dim(0), x.dim(2), x.dim(1), x.dim(3));
        swapMiddle(x, y, x.dim(0), x.dim(1), x.dim(2), x.dim(3));
        if (recording(x)) {
            record(y, "transpose12", new Tensor[]{x}, g -> {
                Tensor dx = like(x);
                swapMiddle(g, dx, x.dim(0), x.dim(2), x.dim(1), x.dim(3));
                return new Tensor[]{dx};
            });
        }
        return y;
    }

    /** dst [a, c, b, d] = src [a, b, c, d] with axes 1 and 2 swapped, in as few strided copies as the shape allows. */
    private static void swapMiddle(Tensor src, Tensor dst, int a, int b, int c, int d) {
        Backend be = src.backend();
        if (a <= b) {
            // One copy per i < a: batches over b, rows over c.
            for (int i = 0; i < a; i++) {
                int base = i * b * c * d;
                be.copyStrided(src.buffer(), base, c * d, d, dst.buffer(), base, d, b * d, b, c, d, false);
            }
        } else {
            // One copy per j < b: batches over a, rows over c.
            for (int j = 0; j < b; j++) {
                be.copyStrided(src.buffer(), j * c * d, b * c * d, d, dst.buffer(), j * d, c * b * d, b * d, a, c, d, false);
            }
        }
    }
}
