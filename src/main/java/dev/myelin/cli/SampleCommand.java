package dev.myelin.cli;

import dev.myelin.backend.Backend;
import dev.myelin.backend.Backends;
import dev.myelin.checkpoint.Checkpoint;
import dev.myelin.checkpoint.CheckpointException;
import dev.myelin.checkpoint.Checkpoints;
import dev.myelin.data.Vocabulary;
import dev.myelin.train.CharModel;
import dev.myelin.train.CharModelConfig;
import dev.myelin.train.CharModels;
import dev.myelin.train.CharSampler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "sample", sortOptions = false,
        description = "Generate text with a character-level language model trained by train --model char-*: "
                + "prints the prompt and what the model writes after it, --length characters in all, then a newline.")
final class SampleCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "FILE",
            description = "A .safetensors checkpoint of a char-* model, or the folder train --checkpoint wrote (its best.safetensors).")
    Path checkpoint;

    @Option(names = "--prompt", required = true, description = "The text to start from; every character must be in the model's vocabulary.")
    String prompt;

    @Option(names = "--length", defaultValue = "200", paramLabel = "N",
            description = "Characters to print, the prompt's included (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--temperature", defaultValue = "1.0", paramLabel = "T",
            description = "Sample from softmax(logits / T); 0 takes the most likely character (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the sampling; the same seed gives the same text (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--backend", defaultValue = "${env:MYELIN_BACKEND:-auto}",
            description = "auto, cpu, opencl or cuda (default: $$MYELIN_BACKEND, else auto).")
    String backend;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        var cl = spec.commandLine();
        if (length < 1) {
            throw new CommandLine.ParameterException(cl, "--length must be at least 1, got " + length);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new CommandLine.ParameterException(cl, "--temperature must be 0 (greedy) or positive, got " + temperature);
        }
        if (prompt.isEmpty()) {
            throw new CommandLine.ParameterException(cl, "--prompt must hold at least one character");
        }
        int promptLength = prompt.codePointCount(0, prompt.length());
        if (promptLength > length) {
            throw new CommandLine.ParameterException(cl, "--prompt has " + promptLength + " characters, more than --length "
                    + length + " (which counts the prompt)");
        }
        Path file = Files.isDirectory(checkpoint) ? checkpoint.resolve(Checkpoints.BEST) : checkpoint;
        Checkpoint ckpt = Checkpoints.read(file);
        String model = ckpt.modelName();
        if (!CharModels.NAMES.contains(model)) {
            throw new CheckpointException(file + ": holds a " + model + " model; sample needs a character model ("
                    + String.join(", ", CharModels.NAMES) + ")");
        }
        CharModelConfig config = CharModelConfig.fromMetadata(ckpt);
        Vocabulary vocabulary;
        try {
            vocabulary = Vocabulary.parse(ckpt.require(CharModelConfig.VOCABULARY));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(file + ": damaged checkpoint: " + e.getMessage(), e);
        }
        int[] unknown = prompt.codePoints().filter(cp -> vocabulary.id(cp) < 0).toArray();
        if (unknown.length > 0) {
            // Not a usage mistake but a mismatch with this checkpoint: one line, no usage text.
            throw new IllegalArgumentException("--prompt: character " + Vocabulary.describe(unknown[0])
                    + " is not in the model's vocabulary of " + vocabulary.size() + " characters");
        }
        PrintWriter out = cl.getOut();
        Backends.Selection selection = Backends.open(backend);
        try (Backend be = selection.backend()) {
            for (String passed : selection.passedOver()) {
                cl.getErr().println("passed over " + passed);
            }
            CharModel net = CharModels.create(config, be, 0);
            try {
                Checkpoints.restore(ckpt, net, null);
                StringBuilder pending = new StringBuilder();
                new CharSampler(net, vocabulary).generate(prompt, length, temperature, seed, cp -> {
                    pending.appendCodePoint(cp);
                    if (cp == '\n' || pending.length() >= 64) {
                        out.print(pending);
                        out.flush();
                        pending.setLength(0);
                    }
                });
                out.println(pending);
                out.flush();
            } finally {
                net.close();
            }
        }
        return Main.EXIT_OK;
    }
}
