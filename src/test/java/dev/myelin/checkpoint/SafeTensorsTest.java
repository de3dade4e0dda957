package dev.myelin.checkpoint;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafeTensorsTest {
    static byte[] sample() {
        try {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("model", "mlp");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            SafeTensors.write(out, meta, List.of(
                    new SafeTensors.Source("0.weight", new int[]{2, 3}, () -> new float[]{1, 2, 3, 4, 5, -6.5f}),
                    new SafeTensors.Source("0.bias", new int[]{2}, () -> new float[]{0.25f, Float.MIN_VALUE})));
            return out.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] withHeader(String json, int dataBytes) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).array();
    }

    @Test
    void writesTheSafetensorsLayout() {
        byte[] file = sample();
        long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(n % 8).as("header padded to 8 bytes").isZero();
        JsonObject header = JsonParser.parseString(new String(file, 8, (int) n, StandardCharsets.UTF_8)).getAsJsonObject();
        assertThat(header.getAsJsonObject("__metadata__").get("model").getAsString()).isEqualTo("mlp");
        JsonObject w = header.getAsJsonObject("0.weight");
        assertThat(w.get("dtype").getAsString()).isEqualTo("F32");
        assertThat(w.get("shape").toString()).isEqualTo("[2,3]");
        assertThat(w.get("data_offsets").toString()).isEqualTo("[0,24]");
        assertThat(header.getAsJsonObject("0.bias").get("data_offsets").toString()).isEqualTo("[24,32]");
        assertThat(file).hasSize((int) (8 + n + 32));
        assertThat(ByteBuffer.wrap(file, (int) (8 + n) + 20, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat()).isEqualTo(-6.5f);
    }

    @Test
    void roundTripsBitForBit(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("x.safetensors"), sample());
        SafeTensors.Contents c = SafeTensors.read(file);
        assertThat(c.metadata()).containsEntry("model", "mlp");
        assertThat(c.tensors().keySet()).containsExactly("0.weight", "0.bias");
        assertThat(c.tensors().get("0.weight").shape()).containsExactly(2, 3);
        assertThat(c.tensors().get("0.weight").values()).containsExactly(1, 2, 3, 4, 5, -6.5f);
        assertThat(c.tensors().get("0.bias").values()).containsExactly(0.25f, Float.MIN_VALUE);
    }

    private static void refused(Path dir, byte[] bytes, String... expected) throws IOException {
        Path file = Files.write(dir.resolve("damaged.safetensors"), bytes);
        assertThatThrownBy(() -> SafeTensors.read(file))
                .isInstanceOf(CheckpointException.class)
                .hasMessageStartingWith(file.toString())
                .hasMessageContainingAll(expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void refusesDamagedFilesWithOneLineNamingTheFile(@TempDir Path dir) throws IOException {
        byte[] good = sample();
        int n = (int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong();
        refused(dir, new byte[0], "holds 0 bytes");
        refused(dir, new byte[]{1, 2, 3}, "holds 3 bytes");
        refused(dir, Arrays.copyOf(good, good.length - 1), "truncated");
        refused(dir, Arrays.copyOf(good, 8 + n / 2), "header length");
        refused(dir, Arrays.copyOf(good, good.length + 4), "data section holds");
        // a huge header length is refused before anything is allocated
        byte[] huge = good.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE);
        refused(dir, huge, "header length");
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        refused(dir, huge, "header length 18446744073709551615");
        // a bit flipped in the header length: the JSON no longer ends where it should
        byte[] flipped = good.clone();
        flipped[0] ^= 0x08;
        refused(dir, flipped, "damaged checkpoint");
        // a bit flipped in a data offset ('2' -> '3' in [24,32]) makes tensors overlap
        String header = new String(good, 8, n, StandardCharsets.UTF_8);
        int at = header.indexOf("[24,32]");
        byte[] offset = good.clone();
        offset[8 + at + 2] ^= 0x01;
        refused(dir, offset, "0.bias");
        refused(dir, withHeader("not json at all", 0), "not valid JSON");
        refused(dir, withHeader("[1,2]", 0), "not a JSON object");
        refused(dir, withHeader("{\"a\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]}}", 2), "F16", "'a'");
        refused(dir, withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "shape");
        refused(dir, withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4), "shape");
        refused(dir, withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "'a'", "needs 8");
        refused(dir, withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "'a'", "expected 0");
        refused(dir, withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12), "'b'", "contiguous");
        refused(dir, withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000,1000000,1000],\"data_offsets\":[0,4]}}", 4), "too large");
        refused(dir, withHeader("{\"__metadata__\":{\"k\":1}}", 0), "metadata", "'k'");
        refused(dir, withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}} {}", 4), "not valid JSON");
    }

    @Test
    void missingFileAndFolderAreNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> SafeTensors.read(dir.resolve("nope.safetensors")))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("nope.safetensors").hasMessageContaining("no such");
        assertThatThrownBy(() -> SafeTensors.read(dir)).isInstanceOf(CheckpointException.class).hasMessageContaining("folder");
    }
}
