package dev.myelin.backend.opencl;

import dev.myelin.backend.Backend;
import dev.myelin.backend.BackendKind;
import dev.myelin.backend.BackendUnavailableException;
import dev.myelin.backend.Backends;
import dev.myelin.backend.Probe;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpenClProviderTest {
    private final OpenClBackendProvider provider = new OpenClBackendProvider();

    @Test
    void probeNeverThrowsAndIsCached() {
        assertThatCode(provider::probe).doesNotThrowAnyException();
        Probe first = provider.probe();
        assertThat(first.kind()).isEqualTo(BackendKind.OPENCL);
        assertThat(provider.probe()).isSameAs(first);
    }

    @Test
    void unavailableReasonIsOneLine() {
        Probe probe = provider.probe();
        if (probe.available()) {
            assertThat(probe.devices()).isNotEmpty();
            assertThat(probe.devices()).allSatisfy(d -> {
                assertThat(d.name()).isNotBlank();
                assertThat(d.type()).isIn("cpu", "gpu", "accelerator");
                assertThat(d.detail()).contains("OpenCL");
            });
        } else {
            assertThat(probe.reason()).isNotBlank().doesNotContain("\n").doesNotContain("\tat ");
            assertThatThrownBy(() -> provider.open(false))
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasMessageNotContaining("\n");
        }
        if (probe.reason() != null) {
            assertThat(probe.reason()).doesNotContain("\n");
        }
    }

    @Test
    void autoWantsAGpuAndSaysWhyWhenThereIsNone() {
        Probe probe = provider.probe();
        Assumptions.assumeTrue(probe.available(), () -> "opencl unavailable: " + probe.reason());
        boolean gpu = probe.devices().stream().anyMatch(d -> !d.type().equals("cpu"));
        if (gpu) {
            try (Backend backend = provider.open(true)) {
                assertThat(backend.device().type()).isNotEqualTo("cpu");
            }
        } else {
            assertThatThrownBy(() -> provider.open(true))
                    .isInstanceOf(BackendUnavailableException.class)
                    .hasMessageContaining("no OpenCL GPU device (found only CPU devices: ")
                    .hasMessageContaining("use --backend opencl to run on them")
                    .hasMessageNotContaining("\n");
            // And auto therefore passes over opencl (to CUDA where it starts, else the CPU), naming why.
            Backends.Selection selection = Backends.open("auto");
            BackendKind chosen;
            try (Backend backend = selection.backend()) {
                chosen = backend.kind();
            }
            assertThat(chosen).isNotEqualTo(BackendKind.OPENCL);
            // What train relies on to warm the CPU kernels while it loads data.
            assertThat(Backends.autoChoice()).isEqualTo(chosen);
            if (chosen == BackendKind.CPU) {
                assertThat(selection.passedOver()).anyMatch(s -> s.startsWith("opencl: no OpenCL GPU device"));
            }
        }
    }

    @Test
    void explicitChoiceOpensAnyDevice() {
        Probe probe = provider.probe();
        Assumptions.assumeTrue(probe.available(), () -> "opencl unavailable: " + probe.reason());
        try (Backend backend = Backends.open("opencl").backend()) {
            assertThat(backend.kind()).isEqualTo(BackendKind.OPENCL);
            assertThat(backend.description()).startsWith("opencl: ");
        }
    }

    @Test
    void reasonsKeepOnlyTheFirstLineOfANativeError() {
        UnsatisfiedLinkError error = new UnsatisfiedLinkError(
                "Failed to locate library: libOpenCL.so\n\tat org.lwjgl.system.Library.loadNative(Library.java:1)\n...");
        assertThat(OpenClLibrary.firstLine(error)).isEqualTo("Failed to locate library: libOpenCL.so");
        assertThat(OpenClLibrary.firstLine(new NoClassDefFoundError())).isEqualTo("NoClassDefFoundError");
    }

    /** The int codes the Java side passes must be the ones the kernels #define. */
    @Test
    void kernelCodesMatchTheKernelSources() {
        String elementwise = OpenClKernels.source("elementwise.cl");
        String reduce = OpenClKernels.source("reduce.cl");
        for (var op : dev.myelin.backend.UnaryOp.values()) {
            assertThat(define(elementwise, "U_" + op.name())).as(op.name()).isEqualTo(KernelCodes.of(op));
        }
        for (var op : dev.myelin.backend.BinaryOp.values()) {
            assertThat(define(elementwise, "B_" + op.name())).as(op.name()).isEqualTo(KernelCodes.of(op));
        }
        for (var b : dev.myelin.backend.Broadcast.values()) {
            assertThat(define(elementwise, "BC_" + b.name())).as(b.name()).isEqualTo(KernelCodes.of(b));
        }
        String conv = OpenClKernels.source("conv.cl");
        for (var act : dev.myelin.backend.Activation.values()) {
            assertThat(define(conv, "CONV_ACT_" + act.name())).as(act.name()).isEqualTo(KernelCodes.of(act));
        }
        for (var op : dev.myelin.backend.ReduceOp.values()) {
            assertThat(define(reduce, "R_" + op.name())).as(op.name()).isEqualTo(KernelCodes.of(op));
        }
    }

    @Test
    void everyKernelSourceIsOnTheClasspath() throws Exception {
        for (String file : new String[]{"gemm.cl", "elementwise.cl", "reduce.cl", "softmax.cl", "optim.cl", "conv.cl", "norm.cl", "sequence.cl", "recurrent.cl", "cuda_preamble.h"}) {
            try (var in = getClass().getResourceAsStream("/kernels/" + file)) {
                assertThat(in).as(file).isNotNull();
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isNotBlank();
            }
        }
        for (String kernel : OpenClKernels.kernelNames()) {
            String all = String.join("\n", OpenClKernels.source("gemm.cl"), OpenClKernels.source("elementwise.cl"),
                    OpenClKernels.source("reduce.cl"), OpenClKernels.source("softmax.cl"), OpenClKernels.source("optim.cl"),
                    OpenClKernels.source("conv.cl"), OpenClKernels.source("norm.cl"), OpenClKernels.source("sequence.cl"),
                    OpenClKernels.source("recurrent.cl"));
            assertThat(all).as(kernel).containsPattern("__kernel void " + kernel + "\\(");
        }
    }

    private static int define(String source, String name) {
        Matcher m = Pattern.compile("#define " + name + "\\s+(\\d+)").matcher(source);
        assertThat(m.find()).as("#define " + name).isTrue();
        return Integer.parseInt(m.group(1));
    }
}
