package dev.myelin.backend.cuda;

/**
 * Grid and block dimensions of one launch (blocks are 1-D or 2-D; the grid's z is the batch of the
 * batched kernels, 1 elsewhere; no dynamic shared memory: every kernel declares its shared arrays
 * statically, as the OpenCL sources do with __local).
 */
record LaunchConfig(int gridX, int gridY, int gridZ, int blockX, int blockY) {
    LaunchConfig {
        if (gridX < 1 || gridY < 1 || gridZ < 1 || blockX < 1 || blockY < 1) {
            throw new IllegalArgumentException("empty launch " + gridX + "x" + gridY + "x" + gridZ
                    + " blocks of " + blockX + "x" + blockY);
        }
    }

    /** A launch over a 2-D grid (z = 1). */
    LaunchConfig(int gridX, int gridY, int blockX, int blockY) {
        this(gridX, gridY, 1, blockX, blockY);
    }

    long threads() {
        return (long) gridX * gridY * gridZ * blockX * blockY;
    }
}
