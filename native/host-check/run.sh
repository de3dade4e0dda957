#!/usr/bin/env bash
# Runs the CUDA kernels on the host (no GPU needed), through cuda_host_emulation.h: the CUDA-only
# kernels/gemm_tiled.cu, and the shared kernels/*.cl as nvcc sees them (through cuda_preamble.h) with
# the CUDA backend's launch shapes. g++ with C++20 (std::barrier). Exits non-zero on a wrong result.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../../target/host-check"
mkdir -p "$out"
command -v g++ >/dev/null || { echo "host-check: g++ not found" >&2; exit 2; }
g++ -std=c++20 -O1 -Wall -Wno-unknown-pragmas -o "$out/gemm_tiled_check" "$here/gemm_tiled_check.cpp"
"$out/gemm_tiled_check"
g++ -std=c++20 -O1 -Wall -Wno-unknown-pragmas -Wno-unused-function -Wno-comment -o "$out/shared_kernels_check" "$here/shared_kernels_check.cpp"
"$out/shared_kernels_check"
