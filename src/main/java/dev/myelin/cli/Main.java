package dev.myelin.cli;

import dev.myelin.backend.BackendException;
import dev.myelin.data.DataException;
import dev.myelin.train.TrainingDivergedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code myelin info | train | eval | sample | bench}. Exit codes: 0 success, 2 bad usage or bad input (one-line message on
 * stderr, no stack trace), 1 a bug (stack trace).
 */
@Command(name = "myelin", mixinStandardHelpOptions = true, versionProvider = Version.class,
        // Inherited, so that "myelin train --help" and "myelin bench gemm --help" work as users expect.
        scope = CommandLine.ScopeType.INHERIT,
        description = "Myelin: deep learning for Java on CPU, OpenCL and CUDA.",
        subcommands = {InfoCommand.class, TrainCommand.class, EvalCommand.class, SampleCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_BUG = 1;
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed: info, train, eval, sample or bench");
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("train")) {
            // A head start for the CPU kernels' compilation (see CpuWarmUp): parsing the command line
            // takes ~0.2 s of the time to the first step. TrainCommand stops it where the CPU will not run.
            dev.myelin.backend.cpu.CpuWarmUp.start(dev.myelin.backend.cpu.CpuWarmUp.Kernels.DENSE);
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setExecutionExceptionHandler((e, cmd, parseResult) -> {
                    if (isUserError(e)) {
                        cmd.getErr().println("myelin: " + e.getMessage());
                        return EXIT_USAGE;
                    }
                    e.printStackTrace(cmd.getErr());
                    return EXIT_BUG;
                });
    }

    /** Errors that come from what the user gave us (files, flags, hardware), not from a bug. */
    static boolean isUserError(Throwable e) {
        return e instanceof DataException || e instanceof BackendException || e instanceof IllegalArgumentException
                || e instanceof TrainingDivergedException || e instanceof java.io.UncheckedIOException
                || e instanceof dev.myelin.checkpoint.CheckpointException;
    }
}
