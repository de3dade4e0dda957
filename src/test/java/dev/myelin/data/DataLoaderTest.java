package dev.myelin.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** Example i has features {i, 1000 + i} and label i, so a batch shows which examples it holds. */
    private static Dataset numbered(int count) {
        float[] features = new float[count * 2];
        float[] labels = new float[count];
        for (int i = 0; i < count; i++) {
            features[2 * i] = i;
            features[2 * i + 1] = 1000 + i;
            labels[i] = i;
        }
        return new Dataset(features, labels, count, 2, count);
    }

    /** Drains an epoch, checking each batch's rows against its labels; returns the labels in order. */
    private static List<Integer> drain(DataLoader.Epoch epoch, List<Integer> sizes) {
        List<Integer> seen = new ArrayList<>();
        while (epoch.hasNext()) {
            DataLoader.Batch batch = epoch.next();
            sizes.add(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                int example = (int) batch.y()[i];
                assertThat(batch.x()[2 * i]).isEqualTo(example);
                assertThat(batch.x()[2 * i + 1]).isEqualTo(1000 + example);
                seen.add(example);
            }
        }
        return seen;
    }

    @Test
    void batchCountRoundsUpAndKeepsThePartialLastBatch() {
        DataLoader loader = new DataLoader(numbered(10), 4, false, 0);
        assertThat(loader.batchCount()).isEqualTo(3);
        List<Integer> sizes = new ArrayList<>();
        assertThat(drain(loader.epoch(0), sizes)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(sizes).containsExactly(4, 4, 2);
        assertThat(new DataLoader(numbered(8), 4, false, 0).batchCount()).isEqualTo(2);
        assertThat(new DataLoader(numbered(3), 64, false, 0).batchCount()).isEqualTo(1);
    }

    @Test
    void shuffledEpochServesEveryExampleOnce() {
        DataLoader loader = new DataLoader(numbered(1000), 64, true, 42);
        for (int epoch = 0; epoch < 3; epoch++) {
            List<Integer> sizes = new ArrayList<>();
            List<Integer> seen = drain(loader.epoch(epoch), sizes);
            assertThat(seen).hasSize(1000).doesNotHaveDuplicates();
            assertThat(seen).isNotEqualTo(seen.stream().sorted().toList());
            assertThat(sizes).hasSize(16).last().isEqualTo(1000 - 15 * 64);
        }
    }

    @Test
    void sameSeedAndEpochGiveTheSameOrder() {
        List<Integer> a = drain(new DataLoader(numbered(500), 32, true, 7).epoch(3), new ArrayList<>());
        List<Integer> b = drain(new DataLoader(numbered(500), 32, true, 7).epoch(3), new ArrayList<>());
        assertThat(a).isEqualTo(b);
    }

    @Test
    void differentEpochOrSeedGivesADifferentOrder() {
        DataLoader loader = new DataLoader(numbered(500), 32, true, 7);
        List<Integer> epoch0 = drain(loader.epoch(0), new ArrayList<>());
        assertThat(drain(loader.epoch(1), new ArrayList<>())).isNotEqualTo(epoch0);
        assertThat(drain(new DataLoader(numbered(500), 32, true, 8).epoch(0), new ArrayList<>())).isNotEqualTo(epoch0);
        // seed and epoch do not simply add up
        assertThat(drain(new DataLoader(numbered(500), 32, true, 8).epoch(0), new ArrayList<>()))
                .isNotEqualTo(drain(new DataLoader(numbered(500), 32, true, 7).epoch(1), new ArrayList<>()));
    }

    @Test
    void batchesReuseTheSameArrays() {
        DataLoader.Epoch epoch = new DataLoader(numbered(10), 4, true, 1).epoch(0);
        DataLoader.Batch first = epoch.next();
        DataLoader.Batch second = epoch.next();
        assertThat(second.x()).isSameAs(first.x());
        assertThat(second.y()).isSameAs(first.y());
        assertThat(first.x()).hasSize(8);
    }

    @Test
    void exhaustedEpochAndBadArgumentsAreRefused() {
        DataLoader loader = new DataLoader(numbered(2), 4, false, 0);
        DataLoader.Epoch epoch = loader.epoch(0);
        epoch.next();
        assertThat(epoch.hasNext()).isFalse();
        assertThatThrownBy(epoch::next).isInstanceOf(NoSuchElementException.class);
        assertThatThrownBy(() -> new DataLoader(numbered(2), 0, false, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> loader.epoch(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
