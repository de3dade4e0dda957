package dev.myelin.backend.cuda;

/**
 * Page-locked host memory for {@link PinnedStaging}: cuMemAllocHost / cuMemFreeHost on a device, a
 * fake in tests. {@code B} is the block type.
 */
interface HostMemory<B> {
    B allocate(long bytes);

    void free(B block);
}
