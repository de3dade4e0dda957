package dev.myelin.cli;

import com.google.gson.JsonObject;
import dev.myelin.checkpoint.Checkpoint;
import dev.myelin.checkpoint.Checkpoints;
import dev.myelin.data.CharTextTest;
import dev.myelin.train.CharModelConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.myelin.cli.CheckpointCliTest.Result;
import static dev.myelin.cli.CheckpointCliTest.lastJson;
import static dev.myelin.cli.CheckpointCliTest.run;
import static dev.myelin.cli.CheckpointCliTest.userError;
import static org.assertj.core.api.Assertions.assertThat;

/** train --model char-* and sample from the command line, and their bad-input catalogue: exit 2, one clear line. */
class CharCliTest {
    @TempDir
    Path dir;

    /** A tiny char-lstm trained for 30 steps on the start of Moby Dick, saved to dir/ckpt. */
    private Path trainedCheckpoint(String model, String... sizes) {
        Path ckpt = dir.resolve("ckpt-" + model);
        String[] args = {"train", "--model", model, "--data", CharTextTest.mobyDickOrSkip().toString(), "--limit", "8000",
                "--batch-size", "4", "--context", "16", "--steps", "30", "--lr", "1e-2", "--backend", "cpu",
                "--checkpoint", ckpt.toString(), "--json", "--no-progress"};
        String[] all = java.util.Arrays.copyOf(args, args.length + sizes.length);
        System.arraycopy(sizes, 0, all, args.length, sizes.length);
        Result r = run(all);
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonObject json = lastJson(r);
        assertThat(json.get("model").getAsString()).isEqualTo(model);
        assertThat(json.get("steps").getAsLong()).isEqualTo(30);
        assertThat(json.get("val_loss").getAsDouble()).isPositive().isLessThan(Math.log(json.get("vocabulary").getAsInt()));
        assertThat(json.get("val_bpc").getAsDouble()).isCloseTo(json.get("val_loss").getAsDouble() / Math.log(2),
                org.assertj.core.api.Assertions.within(1e-9));
        assertThat(json.get("ms_per_step").getAsDouble()).isPositive();
        assertThat(json.getAsJsonArray("epochs")).isNotEmpty();
        assertThat(r.out().strip()).doesNotContain("\n"); // --json: the object is all of stdout
        return ckpt;
    }

    @Test
    void aTrainedCharLstmSamplesTheRequestedLengthFromThePromptDeterministically() {
        Path ckpt = trainedCheckpoint("char-lstm", "--hidden", "32", "--embedding", "8", "--layers", "1");
        Checkpoint saved = Checkpoints.read(ckpt.resolve(Checkpoints.LAST));
        assertThat(saved.modelName()).isEqualTo("char-lstm");
        assertThat(CharModelConfig.fromMetadata(saved).hidden()).isEqualTo(32);
        assertThat(saved.require(CharModelConfig.VOCABULARY)).startsWith("\n !");
        assertThat(saved.metadata().get(Checkpoints.STEP)).isEqualTo("30");
        assertThat(Files.exists(ckpt.resolve(Checkpoints.BEST))).isTrue();

        String file = ckpt.resolve(Checkpoints.LAST).toString();
        Result a = run("sample", "--checkpoint", file, "--prompt", "Call me ", "--length", "60", "--seed", "3", "--backend", "cpu");
        assertThat(a.exitCode()).as(a.err()).isZero();
        String text = a.out().substring(0, a.out().length() - System.lineSeparator().length());
        assertThat(a.out()).endsWith(System.lineSeparator());
        assertThat(text.codePointCount(0, text.length())).isEqualTo(60);
        assertThat(text).startsWith("Call me ");
        assertThat(run("sample", "--checkpoint", file, "--prompt", "Call me ", "--length", "60", "--seed", "3",
                "--backend", "cpu").out()).isEqualTo(a.out());
        assertThat(run("sample", "--checkpoint", file, "--prompt", "Call me ", "--length", "60", "--seed", "4",
                "--backend", "cpu").out()).isNotEqualTo(a.out());
        // The folder means its best checkpoint; greedy sampling does not depend on the seed.
        Result greedy = run("sample", "--checkpoint", ckpt.toString(), "--prompt", "The", "--length", "30",
                "--temperature", "0", "--seed", "1", "--backend", "cpu");
        assertThat(greedy.exitCode()).as(greedy.err()).isZero();
        assertThat(greedy.out()).startsWith("The").isEqualTo(run("sample", "--checkpoint", ckpt.toString(), "--prompt", "The",
                "--length", "30", "--temperature", "0", "--seed", "2", "--backend", "cpu").out());
    }

    @Test
    void aTrainedCharTransformerSamplesPastItsContext() {
        Path ckpt = trainedCheckpoint("char-transformer", "--embedding", "16", "--heads", "2", "--layers", "1");
        Result r = run("sample", "--checkpoint", ckpt.resolve(Checkpoints.LAST).toString(), "--prompt", "whale",
                "--length", "40", "--seed", "1", "--backend", "cpu");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String text = r.out().strip();
        assertThat(text).startsWith("whale");
        assertThat(r.out().codePointCount(0, r.out().length())).isEqualTo(40 + System.lineSeparator().length());
    }

    @Test
    void sampleRefusesWhatItCannotDo() throws IOException {
        Path ckpt = trainedCheckpoint("char-gru", "--hidden", "8", "--embedding", "4", "--layers", "1");
        String file = ckpt.resolve(Checkpoints.LAST).toString();
        userError(run("sample", "--checkpoint", file, "--prompt", "Call me Ishmael", "--length", "5"),
                "--prompt has 15 characters, more than --length 5");
        userError(run("sample", "--checkpoint", file, "--prompt", "Call me ~", "--length", "50"),
                "--prompt: character '~' (U+007E) is not in the model's vocabulary");
        userError(run("sample", "--checkpoint", file, "--prompt", "a", "--temperature", "-1"), "--temperature");
        userError(run("sample", "--checkpoint", file, "--prompt", "a", "--length", "0"), "--length must be at least 1");
        userError(run("sample", "--checkpoint", file, "--prompt", ""), "--prompt must hold at least one character");
        Path missing = dir.resolve("none.safetensors");
        userError(run("sample", "--checkpoint", missing.toString(), "--prompt", "a"), missing.toString());
        // eval scores classifiers and says what to use instead.
        userError(run("eval", "--checkpoint", file, "--data", dir.toString()), "char-gru", "sample");
    }

    @Test
    void trainRefusesOptionsThatDoNotApplyAndBadData() throws IOException {
        String moby = CharTextTest.mobyDickOrSkip().toString();
        userError(run("train", "--model", "char-lstm"), "--model char-lstm needs --data FILE");
        userError(run("train", "--model", "char-lstm", "--data", dir.resolve("absent.txt").toString()), "absent.txt", "missing file");
        userError(run("train", "--model", "mlp", "--hidden", "64"), "--hidden applies to the character models", "--model mlp");
        userError(run("train", "--model", "cnn", "--steps", "10"), "--steps applies to the character models");
        userError(run("train", "--model", "char-lstm", "--data", moby, "--heads", "4"), "--heads applies to char-transformer");
        userError(run("train", "--model", "char-transformer", "--data", moby, "--hidden", "64"),
                "--hidden applies to char-lstm, char-gru and char-rnn", "--embedding");
        userError(run("train", "--model", "char-transformer", "--data", moby, "--embedding", "30"),
                "embedding size 30", "multiple of the 4 heads");
        userError(run("train", "--model", "char-gru", "--data", moby, "--resume", dir.toString()),
                "--resume applies to the MNIST models");
        userError(run("train", "--model", "char-gru", "--data", moby, "--lr-schedule", "step"), "--lr-schedule step");
        userError(run("train", "--model", "char-gru", "--data", moby, "--dropout", "0.1,0.2"), "--dropout takes one rate");
        userError(run("train", "--model", "char-rnn", "--data", moby, "--steps", "0"), "--steps must be at least 1");
        userError(run("train", "--model", "char-rnn", "--data", moby, "--limit", "1000", "--backend", "cpu", "--no-progress"),
                "moby-dick.txt.gz", "900 characters", "32 streams x (128 + 1) = 4128");
        Path empty = Files.write(dir.resolve("empty.txt"), new byte[0]);
        userError(run("train", "--model", "char-rnn", "--data", empty.toString()), "empty.txt", "empty text");
        Path binary = Files.write(dir.resolve("image.png"), new byte[]{(byte) 0x89, 'P', 'N', 'G'});
        userError(run("train", "--model", "char-rnn", "--data", binary.toString()), "image.png", "not UTF-8 text");
        Path latin = Files.write(dir.resolve("short.txt"), "tiny".getBytes(StandardCharsets.UTF_8));
        Result r = run("train", "--model", "char-rnn", "--data", latin.toString(), "--backend", "cpu");
        userError(r, "short.txt");
        assertThat(r.err().strip()).doesNotContain("\n");
    }
}
