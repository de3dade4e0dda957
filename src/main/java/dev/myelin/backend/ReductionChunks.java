package dev.myelin.backend;

/**
 * How the GPU backends split a column reduction over many rows (layer norm's dgamma and dbeta) into
 * a partial pass over chunks of rows and a final pass over the chunks: about sqrt(rows) rows per
 * chunk, so both passes loop about as long, and at least 16 so short inputs do not pay for a
 * needless second level. Deterministic: the same shape always gives the same chunks and sum order.
 */
public final class ReductionChunks {
    private static final int MIN_ROWS_PER_CHUNK = 16;

    private ReductionChunks() {
    }

    public static int rowsPerChunk(int rows) {
        return Math.max(MIN_ROWS_PER_CHUNK, (int) Math.ceil(Math.sqrt(rows)));
    }

    public static int chunks(int rows) {
        int per = rowsPerChunk(rows);
        return (rows + per - 1) / per;
    }
}
