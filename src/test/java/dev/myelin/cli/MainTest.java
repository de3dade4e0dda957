package dev.myelin.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {
    private record Result(int exitCode, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void infoListsEveryBackendWithAReasonWhenUnavailable() {
        Result r = run("info", "--json");
        assertThat(r.exitCode()).isZero();
        JsonObject info = JsonParser.parseString(r.out().strip()).getAsJsonObject();
        assertThat(info.get("cores").getAsInt()).isPositive();
        assertThat(info.getAsJsonArray("backends")).hasSize(3);
        info.getAsJsonArray("backends").forEach(b -> {
            JsonObject backend = b.getAsJsonObject();
            if (!backend.get("available").getAsBoolean()) {
                assertThat(backend.get("reason").getAsString()).isNotBlank().doesNotContain("\n").doesNotContain("Exception");
            }
        });
        assertThat(run("info").out()).contains("cpu").contains("available");
    }

    @Test
    void everySubcommandAnswersHelp() {
        for (String[] command : new String[][]{{"info"}, {"train"}, {"eval"}, {"sample"}, {"bench", "gemm"}, {"bench", "step"}}) {
            String[] args = java.util.Arrays.copyOf(command, command.length + 1);
            args[command.length] = "--help";
            Result result = run(args);
            assertThat(result.exitCode()).as(String.join(" ", args)).isZero();
            assertThat(result.out()).as(String.join(" ", args)).contains("Usage: myelin " + String.join(" ", command));
        }
    }

    @Test
    void badUsageExitsTwoWithAMessageAndNoStackTrace() {
        for (String[] args : new String[][]{
                {"train", "--epochs", "0"},
                {"train", "--lr", "-1"},
                {"train", "--no-such-option"},
                {"train", "--model", "resnet"},
                {"train", "--optimizer", "lion"},
                {"train", "--model", "cnn", "--dropout", "1.5"},
                {"train", "--dropout", "0.1,0.2,0.3"},
                {"train", "--val-split", "0"},
                {"train", "--val-split", "1"},
                {"train", "--early-stopping", "0"},
                {"train", "--lr-schedule", "exponential"},
                {"train", "--lr-schedule", "step", "--warmup-epochs", "2"},
                {"train", "--warmup-epochs", "1", "--warmup-steps", "10"},
                {"train", "--lr-schedule", "cosine", "--epochs", "2", "--warmup-epochs", "3"},
                {"train", "--clip-grad-norm", "-1"},
                {"train", "--weight-decay", "-0.1"},
                {"frobnicate"}}) {
            Result r = run(args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(Main.EXIT_USAGE);
            assertThat(r.err()).as(String.join(" ", args)).isNotBlank().doesNotContain("\tat ");
        }
    }

    @Test
    void aCorruptIdxFileExitsTwoWithOneLineNamingTheFile(@TempDir Path dir) throws Exception {
        for (String name : dev.myelin.data.Mnist.FILES) {
            Files.write(dir.resolve(name), new byte[]{0, 0, 8, 3, 0, 0});
        }
        Result r = run("train", "--data", dir.toString(), "--epochs", "1", "--no-progress");
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err().strip()).doesNotContain("\n").contains("-ubyte").doesNotContain("\tat ");
    }

    @Test
    void aMissingDataFolderExitsTwo(@TempDir Path dir) {
        Result r = run("train", "--data", dir.resolve("nowhere").toString());
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).contains("nowhere");
    }

    @Test
    void forcingAnUnavailableBackendExitsTwoWithItsReason() {
        Path mnist = dev.myelin.train.TrainerTest.mnistDirOrSkip();
        Result r = run("train", "--data", mnist.toString(), "--backend", "cuda", "--epochs", "1", "--no-progress");
        assertThat(r.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).contains("cuda backend unavailable").doesNotContain("\tat ");
    }

    @Test
    void trainWithJsonEndsWithTheResultObject() {
        Path mnist = dev.myelin.train.TrainerTest.mnistDirOrSkip();
        Result r = run("train", "--data", mnist.toString(), "--epochs", "1", "--limit", "2000", "--backend", "cpu",
                "--json", "--no-progress");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String[] lines = r.out().strip().split("\n");
        JsonObject json = JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
        assertThat(json.get("backend").getAsString()).isEqualTo("cpu");
        assertThat(json.get("model").getAsString()).isEqualTo("mlp");
        assertThat(json.getAsJsonArray("epochs")).hasSize(1);
        JsonObject epoch = json.getAsJsonArray("epochs").get(0).getAsJsonObject();
        assertThat(epoch.get("epoch").getAsInt()).isEqualTo(1);
        assertThat(epoch.get("seconds").getAsDouble()).isPositive();
        assertThat(epoch.get("samples_per_second").getAsDouble()).isPositive();
        assertThat(json.get("test_accuracy").getAsDouble()).isBetween(0.8, 1.0);
    }

    @Test
    void benchGemmAndStepReportPositiveRates() {
        Result gemm = run("bench", "gemm", "--m", "33", "--n", "17", "--k", "65", "--trans-b", "--backend", "cpu",
                "--warmup", "1", "--warmup-seconds", "0", "--reps", "3", "--json");
        assertThat(gemm.exitCode()).as(gemm.err()).isZero();
        JsonObject g = JsonParser.parseString(gemm.out().strip()).getAsJsonObject();
        assertThat(g.get("gflops_median").getAsDouble()).isPositive();
        assertThat(g.get("gflops_best").getAsDouble()).isGreaterThanOrEqualTo(g.get("gflops_median").getAsDouble());

        Result step = run("bench", "step", "--batch-size", "8", "--backend", "cpu", "--warmup", "1", "--warmup-seconds", "0",
                "--reps", "3", "--json");
        assertThat(step.exitCode()).as(step.err()).isZero();
        JsonObject st = JsonParser.parseString(step.out().strip()).getAsJsonObject();
        assertThat(st.get("samples_per_second_median").getAsDouble())
                .isCloseTo(8 * st.get("steps_per_second_median").getAsDouble(), org.assertj.core.data.Offset.offset(1e-6));

        assertThat(run("bench", "gemm", "--m", "0").exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run("bench").exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run("bench", "step", "--model", "nope").exitCode()).isEqualTo(Main.EXIT_USAGE);
    }

    @Test
    void benchStepTimesTheStepsAskedFor() {
        Result step = run("bench", "step", "--batch-size", "4", "--backend", "cpu", "--warmup", "0", "--warmup-seconds", "0",
                "--steps", "2", "--json");
        assertThat(step.exitCode()).as(step.err()).isZero();
        assertThat(JsonParser.parseString(step.out().strip()).getAsJsonObject().get("reps").getAsInt()).isEqualTo(2);

        Result both = run("bench", "step", "--steps", "2", "--reps", "3");
        assertThat(both.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(both.err()).contains("--steps 2 and --reps 3 disagree");
        assertThat(run("bench", "step", "--steps", "0").exitCode()).isEqualTo(Main.EXIT_USAGE);
    }
}
