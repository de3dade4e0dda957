package dev.myelin.backend.cuda;

/**
 * Grid and block dimensions of one launch (z is always 1; no dynamic shared memory: every kernel
 * declares its shared arrays statically, as the OpenCL sources do with __local).
 */
record LaunchConfig(int gridX, int gridY, int blockX, int blockY) {
    LaunchConfig {
        if (gridX < 1 || gridY < 1 || blockX < 1 || blockY < 1) {
            throw new IllegalArgumentException("empty launch " + gridX + "x" + gridY + " blocks of " + blockX + "x" + blockY);
        }
    }

    long threads() {
        return (long) gridX * gridY * blockX * blockY;
    }
}
