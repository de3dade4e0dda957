package dev.myelin.backend.opencl;

import dev.myelin.backend.DeviceInfo;

/**
 * One OpenCL device as found by {@link OpenClDevices}: its handles and the limits the backend needs.
 *
 * @param platform        cl_platform_id
 * @param device          cl_device_id
 * @param info            what discovery shows
 * @param gpuLike         a GPU or accelerator (worth preferring to the CPU backend)
 * @param maxAllocBytes   CL_DEVICE_MAX_MEM_ALLOC_SIZE
 * @param maxWorkGroup    CL_DEVICE_MAX_WORK_GROUP_SIZE
 */
record OpenClDevice(long platform, long device, DeviceInfo info, boolean gpuLike, long maxAllocBytes, long maxWorkGroup) {
}
