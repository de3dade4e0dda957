package dev.myelin.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.ZipException;

/**
 * A text for a character-level language model: its characters (Unicode code points) as ids of its
 * {@link Vocabulary}, read from a UTF-8 file, plain or gzipped (told by the magic bytes, not the name).
 *
 * <p>{@link #split} holds out the end of the text for validation, so the split depends on no seed.
 */
public final class CharText {
    /** The fraction of the text held out for validation unless told otherwise. */
    public static final double DEFAULT_VALIDATION_FRACTION = 0.1;

    private final String source;
    private final Vocabulary vocabulary;
    private final int[] ids;

    private CharText(String source, Vocabulary vocabulary, int[] ids) {
        this.source = source;
        this.vocabulary = vocabulary;
        this.ids = ids;
    }

    /** The training and validation parts of a text, as ids. */
    public record Split(int[] train, int[] validation) {
    }

    /**
     * Reads {@code file} (UTF-8, plain or gzip), keeping its first {@code limit} characters when
     * {@code limit} is not null. The vocabulary is that of the characters kept.
     */
    public static CharText load(Path file, Integer limit) {
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("character limit must be at least 1, got " + limit);
        }
        if (Files.isDirectory(file)) {
            throw new DataException(file + ": a folder, not a text file");
        }
        if (!Files.isRegularFile(file)) {
            throw new DataException(file + ": missing file (no such regular file)");
        }
        String text = decode(file, read(file));
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1); // a byte-order mark is not part of the text
        }
        return of(text, limit, file.toString());
    }

    /** The text {@code text} (first {@code limit} characters when not null), naming it {@code source} in errors. */
    public static CharText of(String text, Integer limit, String source) {
        if (limit != null && limit < text.length()) {
            int end = text.offsetByCodePoints(0, Math.min(limit, text.codePointCount(0, text.length())));
            text = text.substring(0, end);
        }
        if (text.isEmpty()) {
            throw new DataException(source + ": empty text: a character-level model needs some characters to learn from");
        }
        Vocabulary vocabulary = Vocabulary.of(text);
        return new CharText(source, vocabulary, vocabulary.encode(text));
    }

    private static byte[] read(Path file) {
        try (InputStream in = IdxReader.openDecompressed(file)) {
            return in.readAllBytes();
        } catch (ZipException | java.io.EOFException e) {
            throw new DataException(file + ": corrupt or truncated gzip stream (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new DataException(file + ": cannot read: " + e, e);
        }
    }

    private static String decode(Path file, byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            throw new DataException(file + ": not UTF-8 text: invalid byte sequence at byte " + in.position()
                    + " of " + bytes.length + " (counted after decompression when gzipped)");
        }
        result = decoder.flush(out);
        if (result.isError()) {
            throw new DataException(file + ": not UTF-8 text: it ends inside a character");
        }
        out.flip();
        return out.toString();
    }

    /** The file (or other source) the text came from, for messages. */
    public String source() {
        return source;
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** Number of characters. */
    public int length() {
        return ids.length;
    }

    /** The characters as vocabulary ids (a copy). */
    public int[] ids() {
        return ids.clone();
    }

    /**
     * The first part for training and the last {@code validationFraction} for validation: the last
     * floor(length * fraction) characters, as Python's {@code int(n * fraction)} counts them. A fraction
     * of 0 leaves validation empty.
     */
    public Split split(double validationFraction) {
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + validationFraction);
        }
        int held = (int) (ids.length * validationFraction);
        int cut = ids.length - held;
        if (cut < 2) {
            throw new DataException(source + ": a text of " + ids.length + " characters leaves " + cut
                    + " for training after holding out " + held + " for validation");
        }
        return new Split(Arrays.copyOfRange(ids, 0, cut), Arrays.copyOfRange(ids, cut, ids.length));
    }

    @Override
    public String toString() {
        return source + " (" + ids.length + " characters, " + vocabulary.size() + " distinct)";
    }
}
