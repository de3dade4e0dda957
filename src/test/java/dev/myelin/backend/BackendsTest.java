package dev.myelin.backend;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BackendsTest {
    /** train warms the CPU kernels only when auto will take the CPU: the prediction must match the opening. */
    @Test
    void autoChoiceNamesTheBackendAutoOpens() {
        BackendKind predicted = Backends.autoChoice();
        Backends.Selection selection = Backends.open("auto");
        try (Backend backend = selection.backend()) {
            assertThat(predicted).as("auto opened %s after passing over %s", backend.kind(), selection.passedOver())
                    .isEqualTo(backend.kind());
        }
    }
}
