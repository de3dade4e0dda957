package dev.myelin.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.myelin.checkpoint.CheckpointException;
import dev.myelin.checkpoint.SafeTensors;
import dev.myelin.data.DataException;
import dev.myelin.data.IdxReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Jazzer fuzz tests: no input makes the readers throw anything but their documented exception.
 * Without JAZZER_FUZZ=1 (the default, and CI's unit-test run) each runs its seed corpus only
 * (src/test/resources/dev/myelin/fuzz/ReaderFuzzTestInputs/); with JAZZER_FUZZ=1 it fuzzes for maxDuration.
 */
class ReaderFuzzTest {
    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempFile("myelin-fuzz", ".idx");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "20s")
    void checkpointReaderThrowsOnlyCheckpointException(byte[] input) {
        try {
            SafeTensors.read("fuzz.safetensors", input);
        } catch (CheckpointException expected) {
            // documented
        }
    }

    @FuzzTest(maxDuration = "20s")
    void idxReaderThrowsOnlyDataException(byte[] input) throws IOException {
        Files.write(FILE, input);
        try {
            IdxReader.readImages(FILE);
        } catch (DataException expected) {
            // documented
        }
        try {
            IdxReader.readLabels(FILE);
        } catch (DataException expected) {
            // documented
        }
    }
}
