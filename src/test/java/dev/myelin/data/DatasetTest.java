package dev.myelin.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DatasetTest {
    private final Dataset data = new Dataset(
            new float[] {0, 1, 10, 11, 20, 21, 30, 31}, new float[] {0, 1, 2, 3}, 4, 2, 4);

    @Test
    void sliceCopiesARange() {
        Dataset middle = data.slice(1, 3);
        assertThat(middle.count()).isEqualTo(2);
        assertThat(middle.featureSize()).isEqualTo(2);
        assertThat(middle.classes()).isEqualTo(4);
        assertThat(middle.features()).containsExactly(10, 11, 20, 21);
        assertThat(middle.labels()).containsExactly(1, 2);
        middle.features()[0] = -1;
        assertThat(data.features()[2]).isEqualTo(10);
    }

    @Test
    void badSlicesAndShapesAreRefused() {
        assertThatThrownBy(() -> data.slice(2, 5)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> data.slice(3, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new Dataset(new float[5], new float[2], 2, 2, 10))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
