package dev.myelin.train;

import dev.myelin.backend.Backend;
import dev.myelin.nn.Embedding;
import dev.myelin.nn.GRU;
import dev.myelin.nn.Init;
import dev.myelin.nn.LSTM;
import dev.myelin.nn.Linear;
import dev.myelin.nn.RNN;
import dev.myelin.nn.Recurrent;
import dev.myelin.nn.RecurrentState;
import dev.myelin.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * char-lstm, char-gru, char-rnn: {@code embedding} (torch.nn.Embedding(vocabulary, embedding),
 * N(0, 1)) -> {@code rnn} (torch.nn.LSTM / GRU / RNN(embedding, hidden, layers, batch_first=True,
 * dropout), U(+-1/sqrt(hidden))) -> {@code head} (torch.nn.Linear(hidden, vocabulary),
 * U(+-1/sqrt(hidden))). Parameters are made, and drawn from one generator, in that order.
 */
public final class CharRecurrentModel extends CharModel {
    private final Embedding embedding;
    private final Recurrent rnn;
    private final Linear head;

    CharRecurrentModel(CharModelConfig c, Backend backend, SplittableRandom random) {
        super(c);
        this.embedding = registerModule("embedding", new Embedding(backend, c.vocabulary(), c.embedding(), random));
        this.rnn = registerModule("rnn", switch (c.model()) {
            case "char-lstm" -> new LSTM(backend, c.embedding(), c.hidden(), c.layers(), c.dropout(), random);
            case "char-gru" -> new GRU(backend, c.embedding(), c.hidden(), c.layers(), c.dropout(), random);
            case "char-rnn" -> new RNN(backend, c.embedding(), c.hidden(), c.layers(), c.dropout(), random);
            default -> throw new IllegalArgumentException("not a recurrent character model: " + c.model());
        });
        this.head = registerModule("head", new Linear(backend, c.hidden(), c.vocabulary(), random));
        Init.torchLinear(head, random);
    }

    @Override
    public boolean carriesState() {
        return true;
    }

    @Override
    public Step forward(Tensor ids, RecurrentState state) {
        checkIds(ids);
        Recurrent.Output out = rnn.forward(embedding.forward(ids), state);
        return new Step(head.forward(out.output()), out.state());
    }

    @Override
    public String toString() {
        return embedding + " -> " + rnn + " -> " + head;
    }
}
