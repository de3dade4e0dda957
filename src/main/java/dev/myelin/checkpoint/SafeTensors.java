package dev.myelin.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The safetensors file layout (https://github.com/huggingface/safetensors), float32 only: an 8-byte
 * little-endian header length N, N bytes of JSON header (padded with spaces to a multiple of 8) naming
 * each tensor's dtype, shape and byte range within the data section, plus an optional
 * {@code "__metadata__"} map of strings; then the raw little-endian data, tensors back to back.
 *
 * <p>Reading checks everything against the file's real size before allocating, so a damaged or hostile
 * file gets a one-line {@link CheckpointException} naming it, never an OutOfMemoryError or a
 * half-read tensor.
 */
public final class SafeTensors {
    /** The safetensors library refuses headers over 100 MB; so does this reader. */
    static final long MAX_HEADER = 100_000_000L;
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    private static final int CHUNK = 1 << 16;
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private SafeTensors() {
    }

    /** A tensor to write: its values are asked for only when it is written, one tensor at a time. */
    public record Source(String name, int[] shape, Supplier<float[]> values) {
    }

    /** A tensor read from a file. */
    public record Entry(String name, int[] shape, float[] values) {
        @Override
        public String toString() {
            return name + " " + Arrays.toString(shape);
        }
    }

    /** A file's metadata and tensors, in the header's order. */
    public record Contents(Map<String, String> metadata, Map<String, Entry> tensors) {
    }

    // ---------------------------------------------------------------- writing

    /** The header JSON, padded with spaces to a multiple of 8 bytes as the safetensors library writes it. */
    static byte[] header(Map<String, String> metadata, List<Source> tensors) {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject meta = new JsonObject();
            metadata.forEach(meta::addProperty);
            header.add("__metadata__", meta);
        }
        long offset = 0;
        for (Source t : tensors) {
            long bytes = 4L * elements(t.shape());
            JsonObject info = new JsonObject();
            info.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (int d : t.shape()) {
                shape.add(d);
            }
            info.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offsets.add(offset + bytes);
            info.add("data_offsets", offsets);
            if (header.has(t.name())) {
                throw new IllegalArgumentException("tensor name '" + t.name() + "' used twice");
            }
            header.add(t.name(), info);
            offset += bytes;
        }
        byte[] json = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** Writes the whole file to {@code out}. */
    public static void write(OutputStream out, Map<String, String> metadata, List<Source> tensors) throws IOException {
        byte[] header = header(metadata, tensors);
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        out.write(length.array());
        out.write(header);
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (Source t : tensors) {
            float[] values = t.values().get();
            if (values.length != elements(t.shape())) {
                throw new IllegalArgumentException("tensor '" + t.name() + "' of shape " + Arrays.toString(t.shape())
                        + " given " + values.length + " values");
            }
            for (float v : values) {
                if (chunk.remaining() < 4) {
                    out.write(chunk.array(), 0, chunk.position());
                    chunk.clear();
                }
                chunk.putFloat(v);
            }
            out.write(chunk.array(), 0, chunk.position());
            chunk.clear();
        }
        out.flush();
    }

    private static long elements(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    // ---------------------------------------------------------------- reading

    /** Reads and checks a file; anything wrong with it is a {@link CheckpointException} naming it. */
    public static Contents read(Path file) {
        if (Files.isDirectory(file)) {
            throw new CheckpointException(file + ": is a folder, not a checkpoint file");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return read(file.toString(), channel);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file + ": no such checkpoint file", e);
        } catch (IOException e) {
            throw new CheckpointException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** As {@link #read(Path)}, for bytes in memory; {@code source} names them in messages. */
    public static Contents read(String source, byte[] bytes) {
        try {
            return read(source, new ByteArrayChannel(bytes));
        } catch (IOException e) {
            throw new CheckpointException(source + ": cannot read: " + e.getMessage(), e);
        }
    }

    private record Info(String name, int[] shape, long begin, long end) {
    }

    static Contents read(String source, SeekableByteChannel in) throws IOException {
        String damaged = source + ": damaged checkpoint: ";
        long size = in.size();
        if (size < 8) {
            throw new CheckpointException(damaged + "the file holds " + size
                    + " bytes, a safetensors file starts with an 8-byte header length");
        }
        ByteBuffer lengthBytes = readFully(in, 0, 8, damaged).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = lengthBytes.getLong();
        if (headerLength < 0 || headerLength > size - 8) {
            throw new CheckpointException(damaged + "header length " + Long.toUnsignedString(headerLength)
                    + " is more than the file's " + size + " bytes allow (truncated, or not a safetensors file)");
        }
        if (headerLength > MAX_HEADER) {
            throw new CheckpointException(damaged + "header length " + headerLength + " exceeds the "
                    + MAX_HEADER + "-byte limit");
        }
        if (headerLength < 2) {
            throw new CheckpointException(damaged + "header length " + headerLength + " is too small for a JSON object");
        }
        String json = utf8(readFully(in, 8, (int) headerLength, damaged), damaged);
        JsonObject header = parseObject(json, damaged);

        Map<String, String> metadata = new LinkedHashMap<>();
        List<Info> infos = new ArrayList<>();
        for (Map.Entry<String, JsonElement> member : header.entrySet()) {
            String name = member.getKey();
            if (name.equals("__metadata__")) {
                if (!member.getValue().isJsonObject()) {
                    throw new CheckpointException(damaged + "\"__metadata__\" is not a JSON object");
                }
                for (Map.Entry<String, JsonElement> m : member.getValue().getAsJsonObject().entrySet()) {
                    if (!(m.getValue() instanceof JsonPrimitive p && p.isString())) {
                        throw new CheckpointException(damaged + "metadata value for '" + m.getKey() + "' is not a string");
                    }
                    metadata.put(m.getKey(), m.getValue().getAsString());
                }
            } else {
                infos.add(info(name, member.getValue(), damaged));
            }
        }

        long dataSize = size - 8 - headerLength;
        List<Info> byOffset = new ArrayList<>(infos);
        byOffset.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));
        long expectedBegin = 0;
        for (Info info : byOffset) {
            if (info.begin() != expectedBegin) {
                throw new CheckpointException(damaged + "tensor '" + info.name() + "' starts at data offset " + info.begin()
                        + ", expected " + expectedBegin + " (tensors must be contiguous, without gaps or overlaps)");
            }
            expectedBegin = info.end();
        }
        if (expectedBegin != dataSize) {
            throw new CheckpointException(damaged + "the header's tensors take " + expectedBegin
                    + " bytes but the data section holds " + dataSize + (expectedBegin > dataSize ? " (truncated)" : ""));
        }

        Map<String, Entry> tensors = new LinkedHashMap<>();
        long dataStart = 8 + headerLength;
        for (Info info : infos) {
            float[] values = new float[(int) ((info.end() - info.begin()) / 4)];
            readFloats(in, dataStart + info.begin(), values, damaged);
            tensors.put(info.name(), new Entry(info.name(), info.shape(), values));
        }
        return new Contents(Collections.unmodifiableMap(metadata), Collections.unmodifiableMap(tensors));
    }

    private static Info info(String name, JsonElement element, String damaged) {
        String tensor = "tensor '" + name + "': ";
        if (!element.isJsonObject()) {
            throw new CheckpointException(damaged + tensor + "entry is not a JSON object");
        }
        JsonObject o = element.getAsJsonObject();
        JsonElement dtype = o.get("dtype");
        if (!(dtype instanceof JsonPrimitive p && p.isString())) {
            throw new CheckpointException(damaged + tensor + "no \"dtype\" string");
        }
        if (!dtype.getAsString().equals("F32")) {
            throw new CheckpointException(damaged + tensor + "dtype " + dtype.getAsString() + " is not supported (only F32)");
        }
        long[] shape = integers(o.get("shape"), -1, damaged + tensor + "\"shape\"");
        long[] offsets = integers(o.get("data_offsets"), 2, damaged + tensor + "\"data_offsets\"");
        int[] dims = new int[shape.length];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) {
                throw new CheckpointException(damaged + tensor + "dimension " + shape[i] + " is too large");
            }
            dims[i] = (int) shape[i];
            elements = elements == 0 || shape[i] == 0 ? 0 : elements > MAX_ELEMENTS / shape[i] ? MAX_ELEMENTS + 1 : elements * shape[i];
        }
        if (elements > MAX_ELEMENTS) {
            throw new CheckpointException(damaged + tensor + "shape " + Arrays.toString(dims) + " is too large");
        }
        if (offsets[1] < offsets[0]) {
            throw new CheckpointException(damaged + tensor + "data_offsets [" + offsets[0] + ", " + offsets[1] + "] end before they begin");
        }
        if (offsets[1] - offsets[0] != 4 * elements) {
            throw new CheckpointException(damaged + tensor + "data_offsets [" + offsets[0] + ", " + offsets[1] + "] span "
                    + (offsets[1] - offsets[0]) + " bytes but shape " + Arrays.toString(dims) + " of F32 needs " + 4 * elements);
        }
        return new Info(name, dims, offsets[0], offsets[1]);
    }

    /** A JSON array of non-negative integers ({@code length} of them unless it is -1). */
    private static long[] integers(JsonElement element, int length, String what) {
        if (element == null || !element.isJsonArray()) {
            throw new CheckpointException(what + " is missing or not an array");
        }
        JsonArray array = element.getAsJsonArray();
        if (length >= 0 && array.size() != length) {
            throw new CheckpointException(what + " has " + array.size() + " entries, expected " + length);
        }
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement e = array.get(i);
            if (!(e instanceof JsonPrimitive p && p.isNumber())) {
                throw new CheckpointException(what + " holds " + e + ", not a number");
            }
            BigDecimal value;
            try {
                value = new BigDecimal(p.getAsString());
            } catch (NumberFormatException | ArithmeticException ex) {
                throw new CheckpointException(what + " holds an unreadable number " + p.getAsString());
            }
            if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(Long.MAX_VALUE / 8)) > 0
                    || value.stripTrailingZeros().scale() > 0) {
                throw new CheckpointException(what + " holds " + p.getAsString() + ", not a non-negative integer in range");
            }
            out[i] = value.longValueExact();
        }
        return out;
    }

    private static JsonObject parseObject(String json, String damaged) {
        try {
            JsonReader reader = new JsonReader(new StringReader(json));
            reader.setStrictness(Strictness.STRICT);
            JsonElement element = GSON.getAdapter(JsonElement.class).read(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new CheckpointException(damaged + "header holds more than one JSON value");
            }
            if (element == null || !element.isJsonObject()) {
                throw new CheckpointException(damaged + "header is not a JSON object");
            }
            return element.getAsJsonObject();
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException(damaged + "header is not valid JSON (" + e.getMessage() + ")", e);
        }
    }

    private static String utf8(ByteBuffer bytes, String damaged) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(damaged + "header is not valid UTF-8", e);
        }
    }

    private static ByteBuffer readFully(SeekableByteChannel in, long position, int length, String damaged) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        in.position(position);
        while (buffer.hasRemaining()) {
            if (in.read(buffer) < 0) {
                throw new CheckpointException(damaged + "file ended at byte " + (position + buffer.position())
                        + " while reading " + length + " bytes at " + position);
            }
        }
        return buffer.flip();
    }

    private static void readFloats(SeekableByteChannel in, long position, float[] values, String damaged) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        in.position(position);
        int filled = 0;
        while (filled < values.length) {
            buffer.clear().limit((int) Math.min(CHUNK, 4L * (values.length - filled)));
            while (buffer.hasRemaining()) {
                if (in.read(buffer) < 0) {
                    throw new CheckpointException(damaged + "file ended inside the tensor data");
                }
            }
            buffer.flip();
            int n = buffer.remaining() / 4;
            buffer.asFloatBuffer().get(values, filled, n);
            filled += n;
        }
    }
}
