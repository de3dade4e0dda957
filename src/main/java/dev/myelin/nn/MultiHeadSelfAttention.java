package dev.myelin.nn;

import dev.myelin.autograd.SequenceOps;
import dev.myelin.backend.Backend;
import dev.myelin.tensor.Shape;
import dev.myelin.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Causal multi-head self-attention over x [batch, time, dim]: one fused projection {@code qkv}
 * (Linear dim -> 3 dim, rows [0, dim) give the queries, [dim, 2 dim) the keys, [2 dim, 3 dim) the
 * values), heads of headDim = dim / heads split off as [batch, heads, time, headDim], scores
 * Q K^T / sqrt(headDim) softmaxed with step t seeing steps <= t, the weighted values merged back to
 * [batch, time, dim], and the output projection {@code proj} (Linear dim -> dim). Both Linears start
 * as torch.nn.Linear does (see {@link Init#torchLinear}).
 *
 * <p>In PyTorch: {@code q, k, v = qkv(x).split(dim, 2)}, each {@code .view(B, T, H, D).transpose(1, 2)},
 * {@code F.scaled_dot_product_attention(q, k, v, is_causal=True)}, {@code .transpose(1, 2).reshape(B, T, dim)},
 * {@code proj}.
 */
public final class MultiHeadSelfAttention extends Module {
    private final int dim;
    private final int heads;
    private final int headDim;
    private final Linear qkv;
    private final Linear proj;

    public MultiHeadSelfAttention(Backend backend, int dim, int heads, SplittableRandom random) {
        if (dim <= 0 || heads <= 0 || dim % heads != 0) {
            throw new IllegalArgumentException("MultiHeadSelfAttention(dim " + dim + ", heads " + heads
                    + "): dim must be a positive multiple of heads");
        }
        this.dim = dim;
        this.heads = heads;
        this.headDim = dim / heads;
        this.qkv = registerModule("qkv", new Linear(backend, dim, 3 * dim, random));
        Init.torchLinear(qkv, random);
        this.proj = registerModule("proj", new Linear(backend, dim, dim, random));
        Init.torchLinear(proj, random);
    }

    public int heads() {
        return heads;
    }

    @Override
    public Tensor forward(Tensor input) {
        Shape s = input.shape();
        if (s.rank() != 3 || s.dim(2) != dim) {
            throw new IllegalArgumentException(this + ": input of shape " + s + " must be [batch, time, " + dim + "]");
        }
        int batch = s.dim(0);
        int time = s.dim(1);
        Tensor projected = qkv.forward(input);
        Tensor q = heads(SequenceOps.slice(projected, 2, 0, dim), batch, time);
        Tensor k = heads(SequenceOps.slice(projected, 2, dim, dim), batch, time);
        Tensor v = heads(SequenceOps.slice(projected, 2, 2 * dim, dim), batch, time);
        Tensor scores = SequenceOps.bmm(q, k, false, true);
        Tensor weights = SequenceOps.causalSoftmax(scores, (float) (1 / Math.sqrt(headDim)));
        Tensor context = SequenceOps.bmm(weights, v, false, false);
        Tensor merged = SequenceOps.transpose12(context.reshape(batch, heads, time, headDim));
        return proj.forward(merged.reshape(batch, time, dim));
    }

    /** [batch, time, dim] to [batch * heads, time, headDim], one matrix per head for the batched products. */
    private Tensor heads(Tensor x, int batch, int time) {
        return SequenceOps.transpose12(x.reshape(batch, time, heads, headDim)).reshape(batch * heads, time, headDim);
    }

    @Override
    public String toString() {
        return "MultiHeadSelfAttention(" + dim + ", heads " + heads + ", causal)";
    }
}
