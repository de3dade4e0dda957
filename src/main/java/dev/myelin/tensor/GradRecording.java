package dev.myelin.tensor;

/**
 * Whether differentiable ops record their backward on this thread. Evaluation turns it off
 * ({@code try (var g = GradRecording.noGrad()) { ... }}), like torch.no_grad().
 */
public final class GradRecording {
    private static final ThreadLocal<int[]> DISABLED = ThreadLocal.withInitial(() -> new int[1]);

    private GradRecording() {
    }

    public static boolean enabled() {
        return DISABLED.get()[0] == 0;
    }

    /** A close that throws nothing, so try-with-resources needs no catch. */
    public interface NoGrad extends AutoCloseable {
        @Override
        void close();
    }

    private record Handle(int[] depth) implements NoGrad {
        @Override
        public void close() {
            depth[0]--;
        }
    }

    /** Turns recording off until the returned handle is closed; nests. */
    public static NoGrad noGrad() {
        int[] depth = DISABLED.get();
        depth[0]++;
        return new Handle(depth);
    }
}
