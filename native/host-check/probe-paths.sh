#!/usr/bin/env bash
# Walks every path of the CUDA probe on a machine without a GPU: builds fake_libcuda.c as a
# libcuda.so.1, puts it on LD_LIBRARY_PATH and runs `myelin info` (target/myelin.jar, build it first
# with mvn -DskipTests package) once per scenario, checking the one-line reason on the cuda line and
# that no stack trace or native-loader noise reaches the output. Also checks that
# `train --backend cuda` exits 2 with the reason.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$here/../.."
out="$root/target/host-check/fake-cuda"
jar="$root/target/myelin.jar"
[ -f "$jar" ] || { echo "probe-paths: build target/myelin.jar first (mvn -DskipTests package)" >&2; exit 2; }
mkdir -p "$out"
gcc -shared -fPIC -O1 -Wall -o "$out/libcuda.so.1" "$here/fake_libcuda.c"
java=(java --add-modules jdk.incubator.vector -jar "$jar")
failures=0

check() {  # name, expected text on the cuda line, env assignments...
    local name="$1" want="$2"; shift 2
    local output line
    output="$(env "$@" "${java[@]}" info 2>&1 | grep -v '^WARNING: Using incubator modules')"
    line="$(grep -E '^  cuda ' <<<"$output" || true)"
    if [[ "$line" == *"$want"* ]] && ! grep -Eq $'\tat |Exception|Error while loading' <<<"$output"; then
        echo "ok    $name: ${line#  cuda    }"
    else
        echo "FAIL  $name: expected '$want' on the cuda line, got:"; echo "$output" | head -n 20
        failures=$((failures + 1))
    fi
}

check "no driver" "unavailable - no NVIDIA driver: libcuda.so.1 not found" LD_LIBRARY_PATH=/nonexistent
fake=(LD_LIBRARY_PATH="$out")
check "cuInit fails" "unavailable - cuInit failed: CUDA_ERROR_INVALID_DEVICE (driver supports CUDA 13.0)" "${fake[@]}" FAKE_CUDA_INIT=101
check "no device (cuInit)" "unavailable - no CUDA device: cuInit reports CUDA_ERROR_NO_DEVICE (driver 12.4 is installed)" \
    "${fake[@]}" FAKE_CUDA_INIT=100 FAKE_CUDA_DRIVER=12040
check "no device (count 0)" "unavailable - no CUDA device found (driver for CUDA 13.0)" "${fake[@]}" FAKE_CUDA_DEVICES=0
check "GPU too old" "unavailable - Fake GPU is sm_70; the packaged kernels need sm_75 or newer" "${fake[@]}" FAKE_CUDA_CC=70
check "driver too old for PTX-only GPU" "unavailable - driver too old: Fake GPU (sm_110) has no prebuilt SASS in this build, only CUDA 13.0 PTX, which needs an R580+ driver (CUDA 13.0); this driver supports CUDA 12.8" \
    "${fake[@]}" FAKE_CUDA_CC=110 FAKE_CUDA_DRIVER=12080
check "module load fails" "unavailable - loading the kernels on Fake GPU (sm_90) failed: CUDA_ERROR_UNSUPPORTED_PTX_VERSION from the fatbin, CUDA_ERROR_UNSUPPORTED_PTX_VERSION from the PTX (the driver supports CUDA 12.4; the kernels were built with CUDA 13.0: update to an R580+ driver)" \
    "${fake[@]}" FAKE_CUDA_MODULE=222 FAKE_CUDA_DRIVER=12040
check "available" "available - kernels: fatbin, sm_90 SASS; GEMM: own tiled GEMM (libcublas.so.12 not loadable: not found)" "${fake[@]}"
check "available, sm_89" "available - kernels: fatbin, sm_89 SASS;" "${fake[@]}" FAKE_CUDA_CC=89

# train --backend cuda: exit 2 and the reason, no stack trace.
set +e
train="$("${java[@]}" train --backend cuda --data "$root/../shared/data/mnist" 2>&1 </dev/null)"
rc=$?
set -e
if [ "$rc" -eq 2 ] && grep -q "cuda backend unavailable: no NVIDIA driver: libcuda.so.1 not found" <<<"$train" \
        && ! grep -q $'\tat ' <<<"$train"; then
    echo "ok    train --backend cuda without a driver: exit 2, $(grep 'cuda backend' <<<"$train")"
else
    echo "FAIL  train --backend cuda: exit $rc"; echo "$train" | head -n 20
    failures=$((failures + 1))
fi
[ "$failures" -eq 0 ] && echo "probe-paths: every path gives its one-line reason" || { echo "probe-paths: $failures failed"; exit 1; }
