package dev.myelin.data;

/**
 * Contiguous batches over a stream of character ids, for truncated backpropagation through time:
 * the stream is cut into {@code streams} equal parallel streams (stream b is ids [b L, (b + 1) L) with
 * L = n / streams; the last n mod streams ids are dropped), and chunk k takes, from every stream,
 * inputs at positions [k T, (k + 1) T) and targets one position later. Chunk k + 1 therefore continues
 * chunk k in every row, so a recurrent state carried from one chunk to the next has seen exactly the
 * text before it; the order depends on no seed. There are (L - 1) / T chunks; the tail of each
 * stream that does not fill one is not used.
 *
 * <p>This is {@code data.view(B, -1)} of PyTorch's word_language_model example, batch-first.
 */
public final class CharBatches {
    private final int[] ids;
    private final int streams;
    private final int length;
    private final int streamLength;
    private final int chunks;

    /**
     * @param what names the text in errors ("the training text of moby-dick.txt.gz")
     */
    public CharBatches(int[] ids, int streams, int length, String what) {
        if (streams < 1 || length < 1) {
            throw new IllegalArgumentException("batches need at least one stream and one step per chunk, got "
                    + streams + " streams of chunks of " + length);
        }
        long needed = (long) streams * (length + 1);
        if (ids.length < needed) {
            throw new DataException(what + " has " + ids.length + " characters, fewer than one batch needs: "
                    + streams + " streams x (" + length + " + 1) = " + needed
                    + " (use a smaller batch size or context, or more text)");
        }
        this.ids = ids;
        this.streams = streams;
        this.length = length;
        this.streamLength = ids.length / streams;
        this.chunks = (streamLength - 1) / length;
    }

    /** The number of parallel streams (rows of a batch). */
    public int streams() {
        return streams;
    }

    /** Time steps per chunk (columns of a batch). */
    public int length() {
        return length;
    }

    /** Chunks per pass over the text. */
    public int chunks() {
        return chunks;
    }

    /** Characters each chunk predicts: streams x length. */
    public int targetsPerChunk() {
        return streams * length;
    }

    /**
     * Fills {@code inputs} and {@code targets} ([streams, length] row-major, ids as floats, as the
     * embedding and the loss take them) with chunk {@code k}.
     */
    public void chunk(int k, float[] inputs, float[] targets) {
        if (k < 0 || k >= chunks) {
            throw new IndexOutOfBoundsException("chunk " + k + " of " + chunks);
        }
        for (int b = 0; b < streams; b++) {
            int from = b * streamLength + k * length;
            int row = b * length;
            for (int t = 0; t < length; t++) {
                inputs[row + t] = ids[from + t];
                targets[row + t] = ids[from + t + 1];
            }
        }
    }

    @Override
    public String toString() {
        return "CharBatches(" + chunks + " chunks of [" + streams + ", " + length + "])";
    }
}
