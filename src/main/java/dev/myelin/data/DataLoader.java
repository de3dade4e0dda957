package dev.myelin.data;

import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Cuts a {@link Dataset} into batches, in order or shuffled. A shuffled order depends on
 * {@code (seed, epoch)} only, so a run can be repeated, or resumed at any epoch, exactly.
 * The last, partial batch is kept.
 */
public final class DataLoader {
    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;

    public DataLoader(Dataset data, int batchSize, boolean shuffle, long seed) {
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
    }

    public Dataset data() {
        return data;
    }

    public int batchSize() {
        return batchSize;
    }

    public int batchCount() {
        return (int) (((long) data.count() + batchSize - 1) / batchSize);
    }

    /** Starts epoch {@code epoch} (0-based). */
    public Epoch epoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        }
        return new Epoch(order(epoch));
    }

    /** The example indices of an epoch, in the order they are served. */
    int[] order(int epoch) {
        int n = data.count();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        if (shuffle) {
            // SplittableRandom mixes its seed, so nearby (seed, epoch) pairs still give unrelated orders;
            // the golden-ratio multiplier keeps (seed, epoch + 1) and (seed + 1, epoch) apart.
            SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /**
     * One pass over the data. Every batch is written into the same two arrays, so a caller must be done
     * with a batch before asking for the next one.
     */
    public final class Epoch {
        private final int[] order;
        private int position;
        private float[] x;
        private float[] y;

        private Epoch(int[] order) {
            this.order = order;
        }

        public boolean hasNext() {
            return position < order.length;
        }

        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException("epoch finished after " + batchCount() + " batches");
            }
            if (x == null) {
                int rows = Math.min(batchSize, order.length);
                x = new float[rows * data.featureSize()];
                y = new float[rows];
            }
            int size = Math.min(batchSize, order.length - position);
            int width = data.featureSize();
            float[] features = data.features();
            float[] labels = data.labels();
            for (int i = 0; i < size; i++) {
                int example = order[position + i];
                System.arraycopy(features, example * width, x, i * width, width);
                y[i] = labels[example];
            }
            position += size;
            return new Batch(x, y, size);
        }
    }

    /**
     * {@code x} is {@code [size, featureSize]} and {@code y} is {@code [size]}; the arrays are the loader's
     * own and may be longer than that for the last batch, so read {@code size}.
     */
    public record Batch(float[] x, float[] y, int size) {
    }
}
