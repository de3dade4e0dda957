package dev.myelin.data;

import java.util.Arrays;

/**
 * The characters of a character-level language model: the sorted distinct Unicode code points of a
 * text, id i being the i-th smallest (as Python's {@code sorted(set(text))} orders them). Saved in a
 * checkpoint as {@link #characters()} so a model can decode what it generates.
 */
public final class Vocabulary {
    private final int[] codePoints;

    private Vocabulary(int[] codePoints) {
        this.codePoints = codePoints;
    }

    /** The vocabulary of {@code text}: its distinct code points, sorted. */
    public static Vocabulary of(String text) {
        return new Vocabulary(text.codePoints().distinct().sorted().toArray());
    }

    /**
     * The vocabulary whose characters are {@code characters} in id order (as {@link #characters()}
     * wrote them); they must be distinct and sorted.
     */
    public static Vocabulary parse(String characters) {
        int[] points = characters.codePoints().toArray();
        if (points.length == 0) {
            throw new IllegalArgumentException("a vocabulary needs at least one character");
        }
        for (int i = 1; i < points.length; i++) {
            if (points[i] <= points[i - 1]) {
                throw new IllegalArgumentException("vocabulary characters must be distinct and sorted by code point, but "
                        + describe(points[i]) + " follows " + describe(points[i - 1]));
            }
        }
        return new Vocabulary(points);
    }

    public int size() {
        return codePoints.length;
    }

    /** Every character in id order, as one string. */
    public String characters() {
        return new String(codePoints, 0, codePoints.length);
    }

    /** The id of {@code codePoint}, or -1 when it is not in the vocabulary. */
    public int id(int codePoint) {
        int i = Arrays.binarySearch(codePoints, codePoint);
        return i >= 0 ? i : -1;
    }

    public int codePoint(int id) {
        return codePoints[id];
    }

    /** The ids of {@code text}'s characters; fails naming the first character that is not in the vocabulary. */
    public int[] encode(String text) {
        int[] points = text.codePoints().toArray();
        int[] ids = new int[points.length];
        for (int i = 0; i < points.length; i++) {
            ids[i] = id(points[i]);
            if (ids[i] < 0) {
                throw new IllegalArgumentException("character " + describe(points[i]) + " at position " + i
                        + " is not in the vocabulary of " + size() + " characters");
            }
        }
        return ids;
    }

    public String decode(int[] ids) {
        StringBuilder s = new StringBuilder(ids.length);
        for (int id : ids) {
            s.appendCodePoint(codePoints[id]);
        }
        return s.toString();
    }

    /** A character as a reader can see it: 'a', or U+000A for ones that do not print. */
    public static String describe(int codePoint) {
        String hex = String.format("U+%04X", codePoint);
        if (Character.isISOControl(codePoint) || Character.isWhitespace(codePoint) || !Character.isDefined(codePoint)) {
            return hex;
        }
        return "'" + new String(Character.toChars(codePoint)) + "' (" + hex + ")";
    }

    @Override
    public String toString() {
        return "Vocabulary(" + size() + " characters)";
    }
}
