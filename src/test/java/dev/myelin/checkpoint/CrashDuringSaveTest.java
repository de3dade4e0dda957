package dev.myelin.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A process killed (SIGKILL) in the middle of saving leaves the previous checkpoint whole and loadable. */
class CrashDuringSaveTest {
    @Test
    void aKilledSaveLeavesTheLastCheckpointLoadable(@TempDir Path dir) throws Exception {
        Random random = new Random();
        for (int round = 0; round < 3; round++) {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<String> command = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                    "-cp", System.getProperty("java.class.path"), SaveLoop.class.getName(), dir.toString()));
            Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            int saved = 0;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
                String line;
                while ((line = out.readLine()) != null && !line.startsWith("saved")) {
                    // JVM warnings
                }
                assertThat(line).as("the child saved once").isNotNull();
                saved = Integer.parseInt(line.substring(6));
                Thread.sleep(random.nextInt(400)); // somewhere in a later save
                child.destroyForcibly(); // SIGKILL
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.destroyForcibly();
            }
            Checkpoint ckpt = Checkpoints.read(dir.resolve(Checkpoints.LAST));
            assertThat(Integer.parseInt(ckpt.metadata().get("epoch"))).isGreaterThanOrEqualTo(saved);
            assertThat(ckpt.tensors()).containsKey("0.weight").containsKey("optimizer.4.bias.exp_avg_sq");
            try (Stream<Path> files = Files.list(dir)) {
                // temporary files may be left behind by the kill; they are never taken for the checkpoint
                assertThat(files.map(p -> p.getFileName().toString()))
                        .allMatch(name -> name.equals(Checkpoints.LAST) || (name.startsWith(".last.safetensors.") && name.endsWith(".tmp")));
            }
        }
    }
}
