package dev.myelin.nn;

import dev.myelin.autograd.Ops;
import dev.myelin.backend.Backend;
import dev.myelin.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * A pre-norm Transformer decoder block (GPT-2's) over [batch, time, dim]:
 * {@code x = x + dropout(attn(ln1(x)))}, then {@code x = x + dropout(mlp(ln2(x)))} with mlp =
 * Linear(dim, 4 dim), GELU (tanh), Linear(4 dim, dim), named {@code mlp.0} and {@code mlp.2} as in a
 * torch.nn.Sequential. Attention is causal ({@link MultiHeadSelfAttention}); the Linears start as
 * torch.nn.Linear does.
 */
public final class TransformerBlock extends Module {
    private final int dim;
    private final LayerNorm ln1;
    private final MultiHeadSelfAttention attn;
    private final LayerNorm ln2;
    private final Sequential mlp;
    private final Dropout attnDropout;
    private final Dropout mlpDropout;

    public TransformerBlock(Backend backend, int dim, int heads, float dropout, SplittableRandom random) {
        this.dim = dim;
        this.ln1 = registerModule("ln1", new LayerNorm(backend, dim));
        this.attn = registerModule("attn", new MultiHeadSelfAttention(backend, dim, heads, random));
        this.ln2 = registerModule("ln2", new LayerNorm(backend, dim));
        Linear up = new Linear(backend, dim, 4 * dim, random);
        Init.torchLinear(up, random);
        Linear down = new Linear(backend, 4 * dim, dim, random);
        Init.torchLinear(down, random);
        this.mlp = registerModule("mlp", new Sequential(up, new GELU(), down));
        long seed = random.nextLong();
        this.attnDropout = registerModule("attn_dropout", new Dropout(dropout, seed));
        this.mlpDropout = registerModule("mlp_dropout", new Dropout(dropout, seed + 1));
    }

    @Override
    public Tensor forward(Tensor input) {
        if (input.shape().rank() != 3 || input.dim(2) != dim) {
            throw new IllegalArgumentException(this + ": input of shape " + input.shape() + " must be [batch, time, " + dim + "]");
        }
        Tensor x = Ops.add(input, attnDropout.forward(attn.forward(ln1.forward(input))));
        return Ops.add(x, mlpDropout.forward(mlp.forward(ln2.forward(x))));
    }

    @Override
    public String toString() {
        return "TransformerBlock(" + dim + ", " + attn.heads() + " heads"
                + (attnDropout.p() > 0 ? ", dropout " + attnDropout.p() : "") + ")";
    }
}
