#!/usr/bin/env bash
# Checks the CUDA-only kernels on the host (no GPU needed): compiles gemm_tiled_check.cpp with g++
# (C++20 for std::barrier) and runs it. Exits non-zero on a wrong result.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../../target/host-check"
mkdir -p "$out"
command -v g++ >/dev/null || { echo "host-check: g++ not found" >&2; exit 2; }
g++ -std=c++20 -O1 -pthread -Wall -Wno-unknown-pragmas -o "$out/gemm_tiled_check" "$here/gemm_tiled_check.cpp"
"$out/gemm_tiled_check"
