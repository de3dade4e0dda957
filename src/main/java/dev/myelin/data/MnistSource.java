package dev.myelin.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** One place MNIST can be fetched from. */
interface MnistSource {
    /** Shown in logs and in the error when every source failed, e.g. the mirror's URL. */
    String describe();

    /**
     * Writes the four {@link Mnist#FILES} into {@code staging}, each raw or gzipped under its own name
     * (with {@code .gz} when gzipped). Verification is the caller's job.
     */
    void fetchInto(Path staging, Consumer<String> log) throws IOException, InterruptedException;
}
