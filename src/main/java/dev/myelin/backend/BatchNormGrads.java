package dev.myelin.backend;

/**
 * The host side of {@link Backend#batchNormBackward} on the GPU backends, written once for OpenCL and
 * CUDA. kernels/norm.cl's batch_norm_backward writes dgamma and dbeta together, so when only one of
 * them is wanted the other gets a scratch buffer of {@code channels} floats, released after enqueueing
 * (both backends run one in-order queue, so the kernel has run before the block is handed out again).
 */
public final class BatchNormGrads {
    private BatchNormGrads() {
    }

    /** The backend's launch of batch_norm_backward; dgamma and dbeta are both null or both non-null. */
    @FunctionalInterface
    public interface Launch {
        void run(Buffer dgamma, Buffer dbeta, boolean params);
    }

    /** Launches unless there is nothing to compute (no channels, or no gradient wanted). */
    public static void backward(Backend backend, Buffer dx, Buffer dgamma, Buffer dbeta, int channels, Launch launch) {
        if (channels == 0 || (dx == null && dgamma == null && dbeta == null)) {
            return;
        }
        boolean params = dgamma != null || dbeta != null;
        Buffer dg = dgamma;
        Buffer db = dbeta;
        Buffer scratch = null;
        if (params && (dg == null || db == null)) {
            scratch = backend.allocate(channels);
            dg = dg == null ? scratch : dg;
            db = db == null ? scratch : db;
        }
        try {
            launch.run(dg, db, params);
        } finally {
            if (scratch != null) {
                backend.release(scratch);
            }
        }
    }
}
