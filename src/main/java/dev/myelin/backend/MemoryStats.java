package dev.myelin.backend;

/**
 * What a backend's caching allocator holds.
 *
 * @param bytesInUse  bytes in buffers handed out and not yet released
 * @param bytesCached bytes in released buffers kept for reuse
 * @param peakBytesInUse the largest bytesInUse seen
 */
public record MemoryStats(long bytesInUse, long bytesCached, long peakBytesInUse) {
}
