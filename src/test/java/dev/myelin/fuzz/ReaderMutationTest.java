package dev.myelin.fuzz;

import dev.myelin.checkpoint.CheckpointException;
import dev.myelin.checkpoint.SafeTensors;
import dev.myelin.data.DataException;
import dev.myelin.data.IdxReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A seeded random-mutation property test, run on every build beside the Jazzer seed corpus: thousands of
 * mutated valid files (bit flips, byte changes, cuts, insertions, splices of interesting numbers);
 * the readers throw nothing but their documented exception.
 */
class ReaderMutationTest {
    private static final long[] INTERESTING = {0, 1, -1, 7, 8, 255, 256, 65535, Integer.MAX_VALUE, Integer.MIN_VALUE,
            Long.MAX_VALUE, Long.MIN_VALUE, 1L << 32, 100_000_000L, 100_000_001L};

    static byte[] mutate(byte[] seed, SplittableRandom random) {
        byte[] b = seed.clone();
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            if (b.length == 0) {
                b = new byte[]{(byte) random.nextInt(256)};
            }
            int at = random.nextInt(b.length);
            switch (random.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[at] = (byte) random.nextInt(256);
                case 2 -> b = Arrays.copyOf(b, random.nextInt(b.length + 1));
                case 3 -> {
                    byte[] longer = Arrays.copyOf(b, b.length + 1 + random.nextInt(16));
                    System.arraycopy(b, at, longer, longer.length - (b.length - at), b.length - at);
                    b = longer;
                }
                case 4 -> {
                    long v = INTERESTING[random.nextInt(INTERESTING.length)];
                    ByteBuffer buf = ByteBuffer.wrap(b).order(random.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
                    if (at + 8 <= b.length) {
                        buf.putLong(at, v);
                    } else if (at + 4 <= b.length) {
                        buf.putInt(at, (int) v);
                    }
                }
                default -> {
                    // replace a digit run in the JSON by another number
                    byte[] digits = Long.toString(INTERESTING[random.nextInt(INTERESTING.length)]).getBytes(StandardCharsets.US_ASCII);
                    if (at + digits.length <= b.length) {
                        System.arraycopy(digits, 0, b, at, digits.length);
                    }
                }
            }
        }
        return b;
    }

    @Test
    void mutatedCheckpointsOnlyEverThrowCheckpointException() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SafeTensors.write(out, java.util.Map.of("model", "mlp", "epoch", "3"), java.util.List.of(
                new SafeTensors.Source("0.weight", new int[]{3, 4}, () -> new float[12]),
                new SafeTensors.Source("0.bias", new int[]{3}, () -> new float[]{1, 2, 3}),
                new SafeTensors.Source("optimizer.0.bias.exp_avg", new int[]{3}, () -> new float[3])));
        byte[] seed = out.toByteArray();
        SplittableRandom random = new SplittableRandom(20261121);
        int refused = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] input = mutate(seed, random);
            try {
                SafeTensors.read("mutant-" + i, input);
            } catch (CheckpointException expected) {
                assertThat(expected.getMessage()).startsWith("mutant-" + i).doesNotContain("\n");
                refused++;
            }
        }
        assertThat(refused).as("most mutants are refused").isGreaterThan(10_000);
    }

    @Test
    void mutatedIdxFilesOnlyEverThrowDataException(@TempDir Path dir) throws Exception {
        byte[] images = ByteBuffer.allocate(16 + 2 * 5 * 5).putInt(0x803).putInt(2).putInt(5).putInt(5).array();
        byte[] labels = ByteBuffer.allocate(8 + 2).putInt(0x801).putInt(2).put((byte) 3).put((byte) 7).array();
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
            g.write(images);
        }
        byte[][] seeds = {images, labels, gz.toByteArray()};
        Path file = dir.resolve("mutant-idx3-ubyte");
        SplittableRandom random = new SplittableRandom(7);
        // 6,000 here: each goes through a file (the reader takes paths), about 3 ms apiece on a busy machine
        for (int i = 0; i < 6_000; i++) {
            Files.write(file, mutate(seeds[i % 3], random));
            try {
                if (i % 3 == 1) {
                    IdxReader.readLabels(file);
                } else {
                    IdxReader.readImages(file);
                }
            } catch (DataException expected) {
                assertThat(expected.getMessage()).contains(file.toString());
            }
        }
    }
}
