#!/usr/bin/env bash
# Runs the backend conformance suite on the CUDA backend's real Java code with the driver replaced by
# emulated_libcuda.cpp (kernels executed on the host; no GPU needed). Arguments are passed to Maven,
# e.g. -Dtest='ConformanceTest' (default: the conformance and CUDA test classes).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
out="$root/target/host-check/emulated"
mkdir -p "$out"
g++ -std=c++20 -O1 -shared -fPIC -Wall -Wno-unknown-pragmas -Wno-unused-function -Wno-comment \
    -o "$out/libcuda.so.1" "$here/emulated_libcuda.cpp"
cd "$root"
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(-Dtest='dev.myelin.backend.conformance.ConformanceTest,dev.myelin.backend.conformance.MemoryConformanceTest,dev.myelin.backend.conformance.ConvConformanceTest,dev.myelin.backend.conformance.SequenceConformanceTest,dev.myelin.backend.cuda.**')
LD_LIBRARY_PATH="$out${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" POCL_CACHE_DIR="${POCL_CACHE_DIR:-/tmp/pocl-cache}" \
    mvn -q -B test "${args[@]}"
echo "emulated-conformance: passed with the emulated driver (see target/surefire-reports)"
