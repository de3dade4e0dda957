package dev.myelin.train;

import dev.myelin.backend.Backend;
import dev.myelin.nn.Embedding;
import dev.myelin.nn.Init;
import dev.myelin.nn.LayerNorm;
import dev.myelin.nn.Linear;
import dev.myelin.nn.PositionalEmbedding;
import dev.myelin.nn.RecurrentState;
import dev.myelin.nn.TransformerBlock;
import dev.myelin.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * char-transformer, a small GPT: {@code token_embedding} (torch.nn.Embedding(vocabulary, dim), N(0, 1))
 * plus {@code position_embedding} (learned [context, dim], N(0, 1)), {@code blocks.0} ...
 * {@code blocks.(layers-1)} ({@link TransformerBlock}: pre-norm, causal attention, GELU MLP of 4 dim),
 * {@code ln_f} (LayerNorm(dim)), {@code head} (Linear(dim, vocabulary)). Linears start as
 * torch.nn.Linear does. Parameters are made, and drawn from one generator, in that order.
 */
public final class CharTransformer extends CharModel {
    private final Embedding tokenEmbedding;
    private final PositionalEmbedding positionEmbedding;
    private final List<TransformerBlock> blocks = new ArrayList<>();
    private final LayerNorm lnF;
    private final Linear head;

    CharTransformer(CharModelConfig c, Backend backend, SplittableRandom random) {
        super(c);
        int dim = c.embedding();
        this.tokenEmbedding = registerModule("token_embedding", new Embedding(backend, c.vocabulary(), dim, random));
        this.positionEmbedding = registerModule("position_embedding", new PositionalEmbedding(backend, c.context(), dim, random));
        for (int i = 0; i < c.layers(); i++) {
            blocks.add(registerModule("blocks." + i, new TransformerBlock(backend, dim, c.heads(), c.dropout(), random)));
        }
        this.lnF = registerModule("ln_f", new LayerNorm(backend, dim));
        this.head = registerModule("head", new Linear(backend, dim, c.vocabulary(), random));
        Init.torchLinear(head, random);
    }

    @Override
    public boolean carriesState() {
        return false;
    }

    @Override
    public Step forward(Tensor ids, RecurrentState state) {
        checkIds(ids);
        if (ids.dim(1) > config().context()) {
            throw new IllegalArgumentException(config().model() + ": " + ids.dim(1) + " characters in a chunk, more than its context of "
                    + config().context());
        }
        Tensor x = positionEmbedding.forward(tokenEmbedding.forward(ids));
        for (TransformerBlock block : blocks) {
            x = block.forward(x);
        }
        return new Step(head.forward(lnF.forward(x)), null);
    }

    @Override
    public String toString() {
        return tokenEmbedding + " + " + positionEmbedding + " -> " + blocks.size() + " x " + blocks.get(0) + " -> "
                + lnF + " -> " + head;
    }
}
