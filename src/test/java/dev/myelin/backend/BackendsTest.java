package dev.myelin.backend;

import dev.myelin.backend.cpu.CpuBackendProvider;
import org.junit.jupiter.api.Test;

import java.util.List;

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

    /** A GPU backend whose probe must not run: auto is to pass it over on its record alone. */
    private static final class RecordedCpuOnly implements BackendProvider {
        boolean probed;

        @Override
        public BackendKind kind() {
            return BackendKind.OPENCL;
        }

        @Override
        public Probe probe() {
            probed = true;
            return Probe.available(BackendKind.OPENCL, List.of(new DeviceInfo("a GPU", "gpu", -1, 1, "")), "");
        }

        @Override
        public String passOverInAuto() {
            return "no OpenCL GPU device (only CPU devices when last probed: pthread)";
        }

        @Override
        public Backend open(boolean preferGpu) {
            throw new AssertionError("auto opened a backend it was to pass over");
        }
    }

    @Test
    void autoPassesOverARecordedBackendWithoutProbingIt() {
        RecordedCpuOnly recorded = new RecordedCpuOnly();
        List<BackendProvider> providers = List.of(recorded, new CpuBackendProvider());
        assertThat(Backends.autoChoice(providers)).isEqualTo(BackendKind.CPU);
        Backends.Selection selection = Backends.openAuto(providers);
        try (Backend backend = selection.backend()) {
            assertThat(backend.kind()).isEqualTo(BackendKind.CPU);
            assertThat(selection.passedOver())
                    .containsExactly("opencl: no OpenCL GPU device (only CPU devices when last probed: pthread)");
        }
        assertThat(recorded.probed).as("the recorded backend was probed").isFalse();
    }
}
