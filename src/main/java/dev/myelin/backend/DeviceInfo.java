package dev.myelin.backend;

/**
 * One device a backend can run on.
 *
 * @param name        the device's own name ("NVIDIA H100", "pthread-AMD EPYC ...")
 * @param type        "cpu", "gpu" or "accelerator"
 * @param memoryBytes global memory, or -1 when unknown
 * @param computeUnits cores / compute units / SMs
 * @param detail      anything else worth showing (platform, driver, capability), may be empty
 */
public record DeviceInfo(String name, String type, long memoryBytes, int computeUnits, String detail) {
}
