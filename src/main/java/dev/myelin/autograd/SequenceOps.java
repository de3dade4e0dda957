package dev.myelin.autograd;

import dev.myelin.tensor.Tensor;

/**
 * The differentiable ops of sequence models (embeddings, recurrent layers, attention, layer norm),
 * in the manner of {@link Ops}: forward and backward are backend ops only.
 *
 * <p>A recurrent layer is one recorded op over a whole chunk of time steps (as cuDNN does), not a
 * graph node per step: its forward loops over the steps and keeps what the backward needs, and its
 * backward runs backpropagation through time over the chunk. The final state comes back detached,
 * so carrying it into the next chunk gives truncated BPTT.
 */
public final class SequenceOps {
    private SequenceOps() {
    }

    /** The outputs of a recurrent layer: every step's hidden state and the detached final state. */
    public record RecurrentResult(Tensor output, Tensor finalHidden, Tensor finalCell) {
    }

    /** out = table[ids]: table [vocab, dim], ids of any shape holding row indices as floats; out is ids.shape + [dim]. */
    public static Tensor embedding(Tensor table, Tensor ids) {
        throw new UnsupportedOperationException("embedding: not implemented yet");
    }

    /** Layer normalisation over the last axis; gamma and beta [lastDim]. */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        throw new UnsupportedOperationException("layerNorm: not implemented yet");
    }

    /** GELU, tanh approximation (torch.nn.GELU(approximate='tanh')). */
    public static Tensor gelu(Tensor x) {
        throw new UnsupportedOperationException("gelu: not implemented yet");
    }

    /** Batched matrix product: a [batch, m, k] (or [batch, k, m] when transA), b [batch, k, n] (or [batch, n, k] when transB). */
    public static Tensor bmm(Tensor a, Tensor b, boolean transA, boolean transB) {
        throw new UnsupportedOperationException("bmm: not implemented yet");
    }

    /** Causal softmax of attention scores [..., T, T] along the last axis, after multiplying by {@code scale}. */
    public static Tensor causalSoftmax(Tensor scores, float scale) {
        throw new UnsupportedOperationException("causalSoftmax: not implemented yet");
    }

    /** x[..., start:start+length, ...] along {@code axis}, copied to a new tensor. */
    public static Tensor slice(Tensor x, int axis, int start, int length) {
        throw new UnsupportedOperationException("slice: not implemented yet");
    }

    /** Concatenation along {@code axis}; all other dimensions must match. */
    public static Tensor concat(int axis, Tensor... parts) {
        throw new UnsupportedOperationException("concat: not implemented yet");
    }

    /** [a, b, c, d] to [a, c, b, d]: splits attention heads ([B, T, H, D] to [B, H, T, D]) and merges them back. */
    public static Tensor transpose12(Tensor x) {
        throw new UnsupportedOperationException("transpose12: not implemented yet");
    }

    /**
     * A single-layer LSTM over a chunk, as torch.nn.LSTM (batch_first): x [B, T, I], h0 and c0 [B, H]
     * (null for zeros, never differentiated), wIh [4H, I], wHh [4H, H], bIh and bHh [4H] (either may be
     * null). Returns output [B, T, H] and the detached final h and c.
     */
    public static RecurrentResult lstm(Tensor x, Tensor h0, Tensor c0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        throw new UnsupportedOperationException("lstm: not implemented yet");
    }

    /** A single-layer GRU over a chunk, as torch.nn.GRU (batch_first): wIh [3H, I], wHh [3H, H]; finalCell is null. */
    public static RecurrentResult gru(Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        throw new UnsupportedOperationException("gru: not implemented yet");
    }

    /** A single-layer Elman RNN with tanh, as torch.nn.RNN (batch_first): wIh [H, I], wHh [H, H]; finalCell is null. */
    public static RecurrentResult rnn(Tensor x, Tensor h0, Tensor wIh, Tensor wHh, Tensor bIh, Tensor bHh) {
        throw new UnsupportedOperationException("rnn: not implemented yet");
    }
}
