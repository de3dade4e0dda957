package dev.myelin.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.myelin.backend.cpu.CpuBackend;
import dev.myelin.checkpoint.Checkpoints;
import dev.myelin.nn.Module;
import dev.myelin.train.Models;
import dev.myelin.train.TrainerTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** train --checkpoint / --resume and eval from the command line, and the bad-input catalogue: exit 2, one clear line. */
class CheckpointCliTest {
    record Result(int exitCode, String out, String err) {
    }

    static Result run(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    static Result run(String... args) {
        return run(Main.commandLine(), args);
    }

    /** Exit 2, one line on stderr naming {@code names}, no stack trace. */
    static void userError(Result r, String... names) {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(Main.EXIT_USAGE);
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(r.err().strip().lines().filter(l -> l.startsWith("myelin: ") || !l.startsWith("Usage")).count())
                .as(r.err()).isGreaterThanOrEqualTo(1);
        for (String name : names) {
            assertThat(r.err()).contains(name);
        }
    }

    static JsonObject lastJson(Result r) {
        String[] lines = r.out().strip().split("\n");
        return JsonParser.parseString(lines[lines.length - 1]).getAsJsonObject();
    }

    // ---------------------------------------------------------------- the happy path on MNIST

    @Test
    void resumedRunEqualsUninterruptedAndEvalReproducesTheAccuracy(@TempDir Path tmp) throws Exception {
        Path mnist = TrainerTest.mnistDirOrSkip();
        Path whole = tmp.resolve("whole");
        Path split = tmp.resolve("split");
        String[] common = {"--data", mnist.toString(), "--limit", "2000", "--backend", "cpu", "--no-progress", "--json"};
        Result full = run(concat(new String[]{"train", "--epochs", "2", "--checkpoint", whole.toString()}, common));
        assertThat(full.exitCode()).as(full.err()).isZero();
        // Interrupted after epoch 1 of the 2-epoch run, so its cosine schedule is the uninterrupted run's;
        // the resume takes the run's length (and every other setting) from the checkpoint.
        Result first = run(concat(new String[]{"train", "--epochs", "2", "--stop-after", "1", "--checkpoint", split.toString()}, common));
        assertThat(first.exitCode()).as(first.err()).isZero();
        Result resumed = run("train", "--resume", split.toString(), "--data", mnist.toString(),
                "--backend", "cpu", "--no-progress", "--json");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();

        assertThat(Files.readAllBytes(split.resolve(Checkpoints.LAST))).as("resumed checkpoint equals uninterrupted, bit for bit")
                .isEqualTo(Files.readAllBytes(whole.resolve(Checkpoints.LAST)));
        double trained = lastJson(full).get("test_accuracy").getAsDouble();
        assertThat(lastJson(resumed).get("test_accuracy").getAsDouble()).isEqualTo(trained);
        assertThat(Files.readAllLines(split.resolve("metrics.jsonl"))).hasSize(2);
        assertThat(Files.size(split.resolve("training.png"))).isPositive();

        Result eval = run("eval", "--checkpoint", whole.resolve(Checkpoints.LAST).toString(), "--data", mnist.toString(),
                "--backend", "cpu", "--json");
        assertThat(eval.exitCode()).as(eval.err()).isZero();
        JsonObject e = lastJson(eval);
        assertThat(e.get("test_accuracy").getAsDouble()).as("eval reproduces the accuracy train reported").isEqualTo(trained);
        assertThat(e.getAsJsonArray("confusion")).hasSize(10);
        long total = 0;
        for (var row : e.getAsJsonArray("confusion")) {
            assertThat(row.getAsJsonArray()).hasSize(10);
            for (var v : row.getAsJsonArray()) {
                total += v.getAsLong();
            }
        }
        assertThat(total).isEqualTo(10_000);
        Result text = run("eval", "--checkpoint", whole.resolve(Checkpoints.BEST).toString(), "--data", mnist.toString(), "--backend", "cpu");
        assertThat(text.out()).contains("test accuracy").contains("confusion matrix");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ---------------------------------------------------------------- bad data files

    private static Path mnistLike(Path dir, byte[] trainImages, byte[] trainLabels) throws Exception {
        Files.createDirectories(dir);
        Files.write(dir.resolve("train-images-idx3-ubyte"), trainImages);
        Files.write(dir.resolve("train-labels-idx1-ubyte"), trainLabels);
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), idx(0x803, new int[]{1, 28, 28}, new byte[784]));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), idx(0x801, new int[]{1}, new byte[1]));
        return dir;
    }

    static byte[] idx(int magic, int[] dims, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + body.length).putInt(magic);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(body).array();
    }

    @Test
    void aTruncatedIdxFileIsNamed(@TempDir Path tmp) throws Exception {
        byte[] images = idx(0x803, new int[]{3, 28, 28}, new byte[3 * 784]);
        Path dir = mnistLike(tmp, Arrays.copyOf(images, images.length - 100), idx(0x801, new int[]{3}, new byte[3]));
        userError(run("train", "--data", dir.toString(), "--no-progress", "--backend", "cpu"), "train-images-idx3-ubyte", "truncated");
    }

    @Test
    void aGarbageIdxFileIsNamed(@TempDir Path tmp) throws Exception {
        byte[] garbage = new byte[5000];
        new java.util.Random(3).nextBytes(garbage);
        Path dir = mnistLike(tmp, garbage, idx(0x801, new int[]{3}, new byte[3]));
        userError(run("train", "--data", dir.toString(), "--no-progress", "--backend", "cpu"), "train-images-idx3-ubyte", "magic");
    }

    @Test
    void imageAndLabelCountsThatDisagreeNameBothFiles(@TempDir Path tmp) throws Exception {
        Path dir = mnistLike(tmp, idx(0x803, new int[]{3, 28, 28}, new byte[3 * 784]), idx(0x801, new int[]{2}, new byte[2]));
        userError(run("train", "--data", dir.toString(), "--no-progress", "--backend", "cpu"),
                "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "3 images", "2 labels");
    }

    // ---------------------------------------------------------------- checkpoints that do not fit

    private static Path checkpointOf(Path file, int inputs, Map<String, String> extra) {
        Module net = Models.create("mlp", new CpuBackend(), inputs, 10, 1);
        try {
            Map<String, String> meta = new LinkedHashMap<>(Map.of(Checkpoints.MODEL, "mlp", Checkpoints.INPUTS,
                    Integer.toString(inputs), Checkpoints.CLASSES, "10", Checkpoints.EPOCH, "1"));
            meta.putAll(extra);
            Checkpoints.save(file, net, null, meta);
            return file;
        } finally {
            net.close();
        }
    }

    @Test
    void aModelThatTakesAnotherInputWidthNamesTheLayerAndShapes(@TempDir Path tmp) {
        Path mnist = TrainerTest.mnistDirOrSkip();
        Path file = checkpointOf(tmp.resolve("narrow.safetensors"), 100, Map.of());
        userError(run("eval", "--checkpoint", file.toString(), "--data", mnist.toString(), "--backend", "cpu"),
                file.toString(), "layer 0 (Linear(100 -> 512))", "[N, 100]", "[10000, 784]");
    }

    @Test
    void aCheckpointWhoseTensorsDoNotFitItsModelNamesTheTensor(@TempDir Path tmp) {
        Path mnist = TrainerTest.mnistDirOrSkip();
        // tensors of a 100-input model, metadata claiming 784 inputs
        Path file = checkpointOf(tmp.resolve("wrong.safetensors"), 100, Map.of(Checkpoints.INPUTS, "784"));
        userError(run("eval", "--checkpoint", file.toString(), "--data", mnist.toString(), "--backend", "cpu"),
                file.toString(), "'0.weight'", "[512, 100]", "[512, 784]");
    }

    @Test
    void truncatedAndBitFlippedCheckpointsAreRefused(@TempDir Path tmp) throws Exception {
        Path good = checkpointOf(tmp.resolve("good.safetensors"), 20, Map.of());
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = Files.write(tmp.resolve("truncated.safetensors"), Arrays.copyOf(bytes, bytes.length / 2));
        userError(run("eval", "--checkpoint", truncated.toString()), truncated.toString(), "damaged checkpoint");
        byte[] header = bytes.clone();
        header[5] ^= 0x10; // the header length's sixth byte: a length of terabytes
        Path flippedLength = Files.write(tmp.resolve("flipped-length.safetensors"), header);
        userError(run("eval", "--checkpoint", flippedLength.toString()), flippedLength.toString(), "header length");
        byte[] json = bytes.clone();
        json[8] ^= 0x01; // '{' becomes 'z'
        Path flippedJson = Files.write(tmp.resolve("flipped-json.safetensors"), json);
        userError(run("eval", "--checkpoint", flippedJson.toString()), flippedJson.toString(), "JSON");
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
        Path extra = Files.write(tmp.resolve("extra.safetensors"), longer);
        userError(run("eval", "--checkpoint", extra.toString()), extra.toString(), "data section");
        userError(run("train", "--resume", tmp.resolve("nowhere").toString()), "nowhere");
    }

    // ---------------------------------------------------------------- usage and output folder

    @Test
    void unknownOptionsAndOutOfRangeValuesExitTwo(@TempDir Path tmp) {
        userError(run("eval", "--no-such-option", "--checkpoint", "x"), "--no-such-option");
        userError(run("eval"), "--checkpoint");
        userError(run("train", "--checkpoint"), "--checkpoint");
        userError(run("train", "--epochs", "-3", "--checkpoint", tmp.toString()), "--epochs");
        Path file = checkpointOf(tmp.resolve(Checkpoints.LAST), 20, Map.of("optimizer", "adam", "optimizer.lr", "0.001",
                "seed", "1", "batch_size", "32"));
        userError(run("train", "--resume", tmp.toString(), "--epochs", "1"), "--epochs 1", file.toString(), "already done 1");
    }

    @Test
    void anUnwritableCheckpointFolderIsRefusedBeforeTraining(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("plain-file"), "not a folder");
        userError(run("train", "--checkpoint", file.toString(), "--no-progress"), "plain-file", "not a folder");
        userError(run("train", "--checkpoint", file.resolve("sub").toString(), "--no-progress"), "plain-file");
    }

    // ---------------------------------------------------------------- training that goes wrong

    @Test
    void aDivergingRunNamesTheStepAndTheLastGoodCheckpoint(@TempDir Path tmp) {
        Path mnist = TrainerTest.mnistDirOrSkip();
        String[] common = {"--data", mnist.toString(), "--limit", "2000", "--backend", "cpu", "--no-progress", "--optimizer", "sgd"};
        Result first = run(concat(new String[]{"train", "--epochs", "1", "--lr", "1e6", "--checkpoint", tmp.resolve("a").toString()}, common));
        userError(first, "training diverged", "NaN", "step", "last good checkpoint: none saved yet");

        Path dir = tmp.resolve("b");
        assertThat(run(concat(new String[]{"train", "--epochs", "1", "--lr", "0.01", "--checkpoint", dir.toString()}, common)).exitCode()).isZero();
        byte[] saved = readAll(dir.resolve(Checkpoints.LAST));
        Result diverged = run("train", "--resume", dir.toString(), "--epochs", "2", "--lr", "1e6", "--data", mnist.toString(),
                "--backend", "cpu", "--no-progress");
        userError(diverged, "at epoch 2, step", "last good checkpoint: " + dir.resolve(Checkpoints.LAST));
        assertThat(readAll(dir.resolve(Checkpoints.LAST))).as("the good checkpoint is kept").isEqualTo(saved);
    }

    private static byte[] readAll(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @CommandLine.Command(name = "allocate-too-much")
    static final class AllocateTooMuch implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() {
            try (var cpu = new CpuBackend()) {
                cpu.allocate(Integer.MAX_VALUE - 8); // 8 GiB, over the test JVM's heap
            }
            return 0;
        }
    }

    @Test
    void deviceOutOfMemoryExitsTwoNamingTheSize() {
        CommandLine cl = Main.commandLine().addSubcommand(new AllocateTooMuch());
        userError(run(cl, "allocate-too-much"), "out of memory allocating 8,589,934,556 bytes");
    }
}
