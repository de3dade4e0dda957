package dev.myelin.train;

import dev.myelin.backend.Backend;
import dev.myelin.backend.conformance.BackendsUnderTest;
import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.data.CharBatches;
import dev.myelin.data.CharText;
import dev.myelin.data.CharTextTest;
import dev.myelin.optim.Adam;
import dev.myelin.optim.LrSchedule;
import dev.myelin.tensor.Scope;
import dev.myelin.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The character models train on a slice of Moby Dick, on the CPU and on OpenCL, with falling validation loss. */
class CharModelTrainingTest {
    /** Tiny sizes, batches of [8, 32]: an epoch over the first 20,000 characters is 70 steps, over 6,000 it is 21. */
    private static List<SequenceEpochResult> train(Backend backend, CharModelConfig shape, float lr, int characters, int epochs) {
        CharText text = CharText.load(CharTextTest.mobyDickOrSkip(), characters);
        CharText.Split split = text.split(0.1);
        CharBatches train = new CharBatches(split.train(), 8, shape.context(), "train");
        CharBatches validation = new CharBatches(split.validation(), 8, shape.context(), "validation");
        CharModelConfig config = new CharModelConfig(shape.model(), text.vocabulary().size(), shape.layers(), shape.hidden(),
                shape.embedding(), shape.heads(), shape.context(), shape.dropout());
        CharModel model = CharModels.create(config, backend, 7);
        try (var opt = new Adam(model.parameters(), lr); var trainer = new SequenceTrainer(model, opt)) {
            double untrained = SequenceTrainer.evaluate(model, validation);
            List<SequenceEpochResult> results = trainer.clipGradNorm(1f).schedule(LrSchedule.constant(lr))
                    .fit(train, validation, epochs, 0, SequenceTrainingListener.NONE);
            assertThat(results).hasSize(epochs);
            assertThat(results.get(epochs - 1).steps()).isEqualTo((long) epochs * train.chunks());
            // Near ln(vocabulary) untrained (guessing), and well below after training.
            assertThat(untrained).isGreaterThan(Math.log(text.vocabulary().size()) - 0.5);
            assertThat(results.get(epochs - 1).validationLoss()).isLessThan(untrained - 0.8);
            return results;
        } finally {
            model.close();
        }
    }

    private static final CharModelConfig LSTM = new CharModelConfig("char-lstm", 1, 1, 64, 16, 0, 32, 0f);
    private static final CharModelConfig TRANSFORMER = new CharModelConfig("char-transformer", 1, 2, 0, 32, 2, 32, 0f);

    private static void assertLearns(List<SequenceEpochResult> results) {
        SequenceEpochResult first = results.get(0);
        SequenceEpochResult last = results.get(results.size() - 1);
        assertThat(last.validationLoss()).isLessThan(first.validationLoss());
        assertThat(last.validationBitsPerChar()).isEqualTo(last.validationLoss() / Math.log(2));
        assertThat(last.trainLoss()).isLessThan(first.trainLoss());
    }

    @Test
    void aCharLstmLearnsMobyDickOnTheCpu() {
        assertLearns(train(new CpuBackend(), LSTM, 1e-2f, 20_000, 2));
    }

    @Test
    void aCharTransformerLearnsMobyDickOnTheCpu() {
        assertLearns(train(new CpuBackend(), TRANSFORMER, 3e-3f, 20_000, 2));
    }

    @Test
    void aCharLstmLearnsMobyDickOnOpenCl() {
        assertLearns(train(BackendsUnderTest.get("opencl"), LSTM, 1e-2f, 6_000, 2));
    }

    @Test
    void aCharTransformerLearnsMobyDickOnOpenCl() {
        assertLearns(train(BackendsUnderTest.get("opencl"), TRANSFORMER, 3e-3f, 6_000, 2));
    }

    @Test
    void aStepLimitEndsTheRunInsideAnEpochAndStillScoresIt() {
        CharText text = CharText.of("the whale, the whale, the white whale! ".repeat(40), null, "test");
        CharText.Split split = text.split(0.1);
        CharBatches train = new CharBatches(split.train(), 4, 16, "train");
        CharBatches validation = new CharBatches(split.validation(), 2, 16, "validation");
        CharModel model = CharModels.create(new CharModelConfig("char-gru", text.vocabulary().size(), 1, 16, 8, 0, 16, 0f),
                new CpuBackend(), 1);
        try (var opt = new Adam(model.parameters(), 1e-2f); var trainer = new SequenceTrainer(model, opt)) {
            int chunks = train.chunks();
            assertThat(chunks).as("1404 training characters in 4 streams of 351: (351 - 1) / 16").isEqualTo(21);
            List<SequenceEpochResult> results = trainer.fit(train, validation, 5, 30, SequenceTrainingListener.NONE);
            assertThat(results).extracting(SequenceEpochResult::epochSteps).containsExactly(chunks, 30 - chunks);
            assertThat(results.get(1).steps()).isEqualTo(30);
            assertThat(results.get(1).validationLoss()).isFinite().isLessThan(Math.log(text.vocabulary().size()));
            assertThat(opt.steps()).isEqualTo(30);
        } finally {
            model.close();
        }
    }

    /** Validation runs the chunks in order with the state carried from one into the next, from zero. */
    @Test
    void validationCarriesTheStateAcrossChunks() {
        var cpu = new CpuBackend();
        CharText text = CharText.of("Call me Ishmael. Some years ago, never mind how long precisely. ".repeat(8), null, "test");
        CharBatches batches = new CharBatches(text.ids(), 3, 10, "test");
        CharModel model = CharModels.create(new CharModelConfig("char-lstm", text.vocabulary().size(), 2, 12, 6, 0, 10, 0f), cpu, 5);
        try (var noGrad = dev.myelin.tensor.GradRecording.noGrad()) {
            double carried = 0;
            double fresh = 0;
            float[] x = new float[30];
            float[] y = new float[30];
            dev.myelin.nn.RecurrentState state = null;
            for (int k = 0; k < batches.chunks(); k++) {
                batches.chunk(k, x, y);
                try (var s = Scope.open()) {
                    Tensor ids = Tensor.of(cpu, x, 3, 10);
                    Tensor targets = Tensor.of(cpu, y, 30);
                    CharModel.Step step = model.forward(ids, state);
                    carried += dev.myelin.autograd.Ops.crossEntropy(step.logits().reshape(30, -1), targets).item();
                    fresh += dev.myelin.autograd.Ops.crossEntropy(model.forward(ids).reshape(30, -1), targets).item();
                    if (state != null) {
                        state.close();
                    }
                    state = step.state().keep();
                }
            }
            state.close();
            double evaluated = SequenceTrainer.evaluate(model, batches);
            assertThat(evaluated).isCloseTo(carried / batches.chunks(), org.assertj.core.api.Assertions.within(1e-5));
            assertThat(evaluated).isNotCloseTo(fresh / batches.chunks(), org.assertj.core.api.Assertions.within(1e-4));
        } finally {
            model.close();
        }
    }

    @Test
    void modelsHaveTheirDocumentedParameterNames() {
        var cpu = new CpuBackend();
        try (CharModel lstm = CharModels.create(CharModels.defaults("char-lstm", 83), cpu, 1);
             CharModel gpt = CharModels.create(new CharModelConfig("char-transformer", 83, 2, 0, 16, 2, 8, 0f), cpu, 1)) {
            assertThat(lstm.namedParameters().keySet()).containsExactly("embedding.weight",
                    "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
                    "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1",
                    "head.weight", "head.bias");
            assertThat(lstm.namedParameters().get("rnn.weight_ih_l0").shape().dims()).containsExactly(1024, 64);
            assertThat(lstm.namedParameters().get("head.weight").shape().dims()).containsExactly(83, 256);
            assertThat(gpt.namedParameters().keySet()).startsWith("token_embedding.weight", "position_embedding.weight",
                    "blocks.0.ln1.weight").endsWith("blocks.1.mlp.2.bias", "ln_f.weight", "ln_f.bias", "head.weight", "head.bias");
            assertThat(gpt.namedParameters().get("position_embedding.weight").shape().dims()).containsExactly(8, 16);
            try (var s = Scope.open()) {
                Tensor ids = Tensor.of(cpu, new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
                assertThat(lstm.forward(ids).shape().dims()).containsExactly(2, 3, 83);
                assertThat(gpt.forward(ids).shape().dims()).containsExactly(2, 3, 83);
                assertThatThrownBy(() -> gpt.forward(Tensor.zeros(cpu, 1, 9)))
                        .hasMessage("char-transformer: 9 characters in a chunk, more than its context of 8");
            }
        }
        assertThatThrownBy(() -> new CharModelConfig("char-transformer", 83, 2, 0, 30, 4, 8, 0f))
                .hasMessageContaining("embedding size 30 (the model's width) must be a multiple of the 4 heads");
    }
}
