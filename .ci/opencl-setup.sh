#!/usr/bin/env bash
# Makes an OpenCL runtime available for the OpenCL backend's tests: the ICD loader (libOpenCL.so.1,
# plus the unversioned libOpenCL.so LWJGL loads, from the -dev package) and PoCL, a CPU device.
# Installs only what is missing; exports nothing (the caller sets POCL_CACHE_DIR: PoCL needs a
# writable kernel cache, or clGetDeviceIDs finds no device). Safe to source or to run.
(
    set -eu
    have_loader() {
        ldconfig -p 2>/dev/null | grep -q 'libOpenCL\.so ' || [ -e /usr/lib/x86_64-linux-gnu/libOpenCL.so ]
    }
    have_icd() {
        ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1
    }
    if have_loader && have_icd && command -v clinfo >/dev/null 2>&1; then
        echo "opencl-setup: OpenCL loader and an ICD are present"
        exit 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "opencl-setup: no apt-get; install an OpenCL ICD loader and driver (e.g. PoCL) by hand" >&2
        exit 1
    fi
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    echo "opencl-setup: installing pocl-opencl-icd ocl-icd-libopencl1 ocl-icd-opencl-dev clinfo"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        pocl-opencl-icd ocl-icd-libopencl1 ocl-icd-opencl-dev clinfo >/dev/null
    echo "opencl-setup: done"
)
