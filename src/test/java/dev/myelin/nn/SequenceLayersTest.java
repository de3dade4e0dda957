package dev.myelin.nn;

import dev.myelin.autograd.Ops;
import dev.myelin.autograd.SequenceOps;
import dev.myelin.backend.Backend;
import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.tensor.Scope;
import dev.myelin.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SequenceLayersTest {
    private final Backend cpu = new CpuBackend();

    private static float[] random(int n, long seed) {
        var r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void recurrentLayersHavePyTorchsNamesShapesAndInit() {
        var random = new SplittableRandom(1);
        LSTM lstm = new LSTM(cpu, 5, 8, 2, 0f, random);
        assertThat(lstm.namedParameters().keySet()).containsExactly(
                "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
                "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1");
        assertThat(lstm.namedParameters().get("weight_ih_l0").shape().dims()).containsExactly(32, 5);
        assertThat(lstm.namedParameters().get("weight_ih_l1").shape().dims()).containsExactly(32, 8);
        assertThat(lstm.namedParameters().get("weight_hh_l1").shape().dims()).containsExactly(32, 8);
        assertThat(lstm.namedParameters().get("bias_hh_l1").shape().dims()).containsExactly(32);
        assertThat(new GRU(cpu, 5, 8, random).namedParameters().get("weight_hh_l0").shape().dims()).containsExactly(24, 8);
        assertThat(new RNN(cpu, 5, 8, random).namedParameters().get("weight_ih_l0").shape().dims()).containsExactly(8, 5);
        double bound = 1 / Math.sqrt(8);
        double sumSquares = 0;
        int count = 0;
        for (Parameter p : lstm.parameters()) {
            for (float w : p.data().toArray()) {
                assertThat(Math.abs(w)).isLessThanOrEqualTo((float) bound);
                sumSquares += w * w;
                count++;
            }
        }
        // U(-b, b) has variance b^2 / 3.
        assertThat(sumSquares / count).isCloseTo(bound * bound / 3, within(0.1 * bound * bound / 3));
    }

    @Test
    void recurrentLayersGiveEveryStepAndAFinalStatePerLayer() {
        var random = new SplittableRandom(2);
        for (Recurrent layer : List.of(new LSTM(cpu, 3, 6, 2, 0f, random), new GRU(cpu, 3, 6, 2, 0f, random),
                new RNN(cpu, 3, 6, 2, 0f, random))) {
            try (var s = Scope.open()) {
                Recurrent.Output out = layer.forward(Tensor.of(cpu, random(4 * 5 * 3, 3), 4, 5, 3), null);
                assertThat(out.output().shape().dims()).as(layer.toString()).containsExactly(4, 5, 6);
                assertThat(out.state().layers()).isEqualTo(2);
                assertThat(out.state().batchSize()).isEqualTo(4);
                assertThat(out.state().hidden().get(1).shape().dims()).containsExactly(4, 6);
                assertThat(out.state().cell() != null).isEqualTo(layer instanceof LSTM);
                // The last layer's final hidden state is its output at the last step.
                float[] all = out.output().toArray();
                float[] last = out.state().hidden().get(1).toArray();
                for (int b = 0; b < 4; b++) {
                    for (int h = 0; h < 6; h++) {
                        assertThat(last[b * 6 + h]).isEqualTo(all[(b * 5 + 4) * 6 + h]);
                    }
                }
                assertThat(out.state().hidden().get(0).requiresGrad()).isFalse();
            }
        }
    }

    /** A sequence run in one chunk, and in two with the state carried, gives the same outputs. */
    @Test
    void carryingTheStateAcrossChunksContinuesTheSequence() {
        var random = new SplittableRandom(4);
        for (Recurrent layer : List.of(new LSTM(cpu, 3, 5, 2, 0f, random), new GRU(cpu, 3, 5, 2, 0f, random),
                new RNN(cpu, 3, 5, 1, 0f, random))) {
            int batch = 2;
            int time = 6;
            float[] x = random(batch * time * 3, 5);
            float[] whole;
            float[] second;
            RecurrentState carried;
            try (var s = Scope.open()) {
                whole = layer.forward(Tensor.of(cpu, x, batch, time, 3), null).output().toArray();
            }
            try (var s = Scope.open()) {
                Tensor chunk1 = SequenceOps.slice(Tensor.of(cpu, x, batch, time, 3), 1, 0, 3);
                carried = layer.forward(chunk1, null).state().keep();
            }
            try (var s = Scope.open()) {
                Tensor chunk2 = SequenceOps.slice(Tensor.of(cpu, x, batch, time, 3), 1, 3, 3);
                second = layer.forward(chunk2, carried).output().toArray();
            }
            carried.close();
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < 3; t++) {
                    for (int h = 0; h < 5; h++) {
                        assertThat(second[(b * 3 + t) * 5 + h]).as(layer + " b" + b + " t" + t)
                                .isCloseTo(whole[(b * time + 3 + t) * 5 + h], within(1e-5f));
                    }
                }
            }
        }
    }

    @Test
    void everyWeightOfAStackGetsAGradientThroughTheChunk() {
        var random = new SplittableRandom(11);
        for (Recurrent layer : List.of(new LSTM(cpu, 3, 4, 2, 0.2f, random), new GRU(cpu, 3, 4, 2, 0f, random),
                new RNN(cpu, 3, 4, 3, 0f, random))) {
            try (var s = Scope.open()) {
                Tensor y = layer.forward(Tensor.of(cpu, random(2 * 5 * 3, 12), 2, 5, 3));
                Ops.mean(Ops.mul(y, y)).backward();
            }
            layer.namedParameters().forEach((name, p) -> {
                assertThat(p.grad()).as(layer + " " + name).isNotNull();
                float largest = 0;
                for (float g : p.grad().toArray()) {
                    largest = Math.max(largest, Math.abs(g));
                }
                assertThat(largest).as(layer + " " + name).isPositive();
            });
        }
    }

    @Test
    void recurrentLayersNameTheWrongShape() {
        LSTM lstm = new LSTM(cpu, 3, 4, 2, 0f, new SplittableRandom(1));
        try (var s = Scope.open()) {
            assertThatThrownBy(() -> lstm.forward(Tensor.zeros(cpu, 2, 5, 7)))
                    .hasMessage("LSTM(3, 4, layers 2): input of shape [2, 5, 7] must be [batch, time, 3]");
            RecurrentState wrongBatch = new RecurrentState(List.of(Tensor.zeros(cpu, 3, 4), Tensor.zeros(cpu, 3, 4)),
                    List.of(Tensor.zeros(cpu, 3, 4), Tensor.zeros(cpu, 3, 4)));
            assertThatThrownBy(() -> lstm.forward(Tensor.zeros(cpu, 2, 5, 3), wrongBatch))
                    .hasMessageContaining("state tensor of shape [3, 4] must be [2, 4]");
            RecurrentState noCell = new RecurrentState(List.of(Tensor.zeros(cpu, 2, 4), Tensor.zeros(cpu, 2, 4)), null);
            assertThatThrownBy(() -> lstm.forward(Tensor.zeros(cpu, 2, 5, 3), noCell))
                    .hasMessageContaining("without cell states does not fit 2 layer(s) with cell states");
        }
        assertThatThrownBy(() -> new GRU(cpu, 3, 4, 1, 1f, new SplittableRandom(1)))
                .hasMessageContaining("GRU: dropout 1.0 must be in [0, 1)");
    }

    @Test
    void dropoutBetweenLayersActsInTrainingOnly() {
        LSTM lstm = new LSTM(cpu, 3, 16, 2, 0.5f, new SplittableRandom(6));
        Tensor x = Tensor.of(cpu, random(2 * 4 * 3, 7), 2, 4, 3).keep();
        float[] eval1;
        float[] eval2;
        float[] train;
        try (var s = Scope.open()) {
            lstm.eval();
            eval1 = lstm.forward(x).toArray();
            eval2 = lstm.forward(x).toArray();
            lstm.train(true);
            train = lstm.forward(x).toArray();
        }
        x.close();
        assertThat(eval2).containsExactly(eval1);
        assertThat(train).isNotEqualTo(eval1);
    }

    @Test
    void embeddingLooksUpRows() {
        Embedding embedding = new Embedding(cpu, 10, 4, new SplittableRandom(1));
        float[] table = embedding.weight().data().toArray();
        try (var s = Scope.open()) {
            Tensor out = embedding.forward(Tensor.of(cpu, new float[]{3, 0, 9, 3, 1, 2}, 2, 3));
            assertThat(out.shape().dims()).containsExactly(2, 3, 4);
            float[] v = out.toArray();
            for (int j = 0; j < 4; j++) {
                assertThat(v[j]).isEqualTo(table[3 * 4 + j]);
                assertThat(v[2 * 4 + j]).isEqualTo(table[9 * 4 + j]);
            }
        }
    }

    @Test
    void layerNormNormalisesEachRow() {
        LayerNorm norm = new LayerNorm(cpu, 16);
        assertThat(norm.namedParameters().keySet()).containsExactly("weight", "bias");
        try (var s = Scope.open()) {
            float[] y = norm.forward(Tensor.of(cpu, random(3 * 16, 8), 3, 16)).toArray();
            for (int r = 0; r < 3; r++) {
                double mean = 0;
                double square = 0;
                for (int c = 0; c < 16; c++) {
                    mean += y[r * 16 + c] / 16.0;
                    square += y[r * 16 + c] * y[r * 16 + c] / 16.0;
                }
                assertThat(mean).isCloseTo(0, within(1e-5));
                assertThat(square - mean * mean).isCloseTo(1, within(1e-3));
            }
            assertThatThrownBy(() -> norm.forward(Tensor.zeros(cpu, 2, 8)))
                    .hasMessage("LayerNorm(16): input of shape [2, 8] must end in 16");
        }
    }

    @Test
    void geluIsTheTanhApproximation() {
        float[] x = {-3f, -1f, -0.1f, 0f, 0.5f, 2f};
        try (var s = Scope.open()) {
            float[] y = new GELU().forward(Tensor.of(cpu, x, 6)).toArray();
            for (int i = 0; i < x.length; i++) {
                double expected = 0.5 * x[i] * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x[i] + 0.044715 * Math.pow(x[i], 3))));
                assertThat((double) y[i]).isCloseTo(expected, within(1e-5));
            }
        }
    }

    @Test
    void positionalEmbeddingAddsOneRowPerStep() {
        PositionalEmbedding pos = new PositionalEmbedding(cpu, 5, 3, new SplittableRandom(1));
        float[] table = pos.weight().data().toArray();
        try (var s = Scope.open()) {
            float[] y = pos.forward(Tensor.zeros(cpu, 2, 4, 3)).toArray();
            for (int b = 0; b < 2; b++) {
                for (int i = 0; i < 12; i++) {
                    assertThat(y[b * 12 + i]).isEqualTo(table[i]);
                }
            }
            assertThatThrownBy(() -> pos.forward(Tensor.zeros(cpu, 2, 6, 3)))
                    .hasMessage("PositionalEmbedding(5, 3): input of shape [2, 6, 3] must be [batch, time <= 5, 3]");
        }
    }

    /** The output at step t depends on steps up to t only; a later change leaves earlier outputs alone. */
    @Test
    void attentionAndBlocksAreCausal() {
        var random = new SplittableRandom(9);
        List<BiFunction<Integer, Integer, Module>> makers = List.of(
                (dim, heads) -> new MultiHeadSelfAttention(cpu, dim, heads, random),
                (dim, heads) -> new TransformerBlock(cpu, dim, heads, 0f, random));
        for (var maker : makers) {
            Module layer = maker.apply(8, 2);
            float[] x = random(2 * 5 * 8, 10);
            float[] changed = x.clone();
            for (int i = 0; i < 8; i++) {
                changed[(0 * 5 + 3) * 8 + i] += i; // sequence 0, step 3 (not a constant, which layer norm would remove)
            }
            try (var s = Scope.open()) {
                Tensor a = layer.forward(Tensor.of(cpu, x, 2, 5, 8));
                assertThat(a.shape().dims()).containsExactly(2, 5, 8);
                float[] ya = a.toArray();
                float[] yb = layer.forward(Tensor.of(cpu, changed, 2, 5, 8)).toArray();
                for (int t = 0; t < 5; t++) {
                    boolean differs = false;
                    for (int i = 0; i < 8; i++) {
                        differs |= Math.abs(ya[t * 8 + i] - yb[t * 8 + i]) > 1e-6;
                    }
                    assertThat(differs).as(layer + " step " + t).isEqualTo(t >= 3);
                }
                for (int i = 40; i < 80; i++) {
                    assertThat(yb[i]).as("the other sequence").isEqualTo(ya[i]);
                }
            }
        }
    }

    @Test
    void attentionIsTheSoftmaxWeightedAverageOfValues() {
        // One head, identity projections: out_t = sum_j<=t softmax(x_t . x_j / sqrt(d)) x_j.
        MultiHeadSelfAttention attn = new MultiHeadSelfAttention(cpu, 2, 1, new SplittableRandom(1));
        float[] qkv = new float[6 * 2];
        for (int r = 0; r < 6; r++) {
            qkv[r * 2 + r % 2] = 1f;
        }
        cpu.upload(qkv, 0, attn.namedParameters().get("qkv.weight").data().buffer(), 0, qkv.length);
        cpu.upload(new float[6], 0, attn.namedParameters().get("qkv.bias").data().buffer(), 0, 6);
        cpu.upload(new float[]{1, 0, 0, 1}, 0, attn.namedParameters().get("proj.weight").data().buffer(), 0, 4);
        cpu.upload(new float[2], 0, attn.namedParameters().get("proj.bias").data().buffer(), 0, 2);
        float[] x = {1, 0, 0, 2, 1, 1};
        try (var s = Scope.open()) {
            float[] y = attn.forward(Tensor.of(cpu, x, 1, 3, 2)).toArray();
            for (int t = 0; t < 3; t++) {
                double[] w = new double[t + 1];
                double total = 0;
                for (int j = 0; j <= t; j++) {
                    w[j] = Math.exp((x[2 * t] * x[2 * j] + x[2 * t + 1] * x[2 * j + 1]) / Math.sqrt(2));
                    total += w[j];
                }
                for (int i = 0; i < 2; i++) {
                    double expected = 0;
                    for (int j = 0; j <= t; j++) {
                        expected += w[j] / total * x[2 * j + i];
                    }
                    assertThat((double) y[2 * t + i]).isCloseTo(expected, within(1e-5));
                }
            }
        }
    }

    @Test
    void transformerBlockHasPreNormNamesAndTrains() {
        var random = new SplittableRandom(3);
        TransformerBlock block = new TransformerBlock(cpu, 8, 2, 0f, random);
        assertThat(block.namedParameters().keySet()).containsExactly(
                "ln1.weight", "ln1.bias", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias",
                "ln2.weight", "ln2.bias", "mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias");
        assertThat(block.namedParameters().get("mlp.0.weight").shape().dims()).containsExactly(32, 8);
        assertThat(block.namedParameters().get("attn.qkv.weight").shape().dims()).containsExactly(24, 8);
        // Every parameter gets a gradient from a loss on the output.
        try (var s = Scope.open()) {
            Tensor y = block.forward(Tensor.of(cpu, random(2 * 3 * 8, 4), 2, 3, 8));
            Ops.mean(Ops.mul(y, y)).backward();
        }
        block.namedParameters().forEach((name, p) -> assertThat(p.grad()).as(name).isNotNull());
        assertThatThrownBy(() -> new MultiHeadSelfAttention(cpu, 10, 3, random))
                .hasMessageContaining("dim must be a positive multiple of heads");
    }
}
