#!/usr/bin/env bash
# One-command check of Myelin's CUDA backend on a machine with an NVIDIA GPU and driver but no Java
# and no Maven. Runs from the folder benchmarks/gpu/prepare.sh builds (a jlinked JDK, myelin.jar,
# the test classes, the JUnit console launcher, MNIST, the step-rate helpers):
#   1. the driver and the GPU (nvidia-smi), and what Myelin's discovery says about CUDA
#   2. the backend test suites (conformance against the CPU reference, CUDA unit tests)
#   3. 5 epochs of the MNIST MLP with --backend cuda
#   4. steps/s of the 784-4096-4096-10 MLP, batch 256, SGD momentum 0.9, lr 0.01, against PyTorch on
#      the same GPU when python3 with a CUDA torch is installed
# Output goes to the terminal and to gpu-check-<host>-<time>.log next to this script.
# For a quick dry run of the script itself on a machine without a GPU (GPU_CHECK_STEPS=0 skips the
# step rate; LD_LIBRARY_PATH=<dir of native/host-check's emulated libcuda.so.1> with the default
# backend runs the CUDA path on the emulated driver):
#   GPU_CHECK_BACKEND=cpu GPU_CHECK_TESTS=dev.myelin.backend.cuda GPU_CHECK_EPOCHS=1 \
#   GPU_CHECK_TRAIN_LIMIT=2000 GPU_CHECK_STEPS=2 GPU_CHECK_WARMUP=1 ./gpu-check.sh
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
backend="${GPU_CHECK_BACKEND:-cuda}"
tests="${GPU_CHECK_TESTS:-dev.myelin.backend}"
epochs="${GPU_CHECK_EPOCHS:-5}"
limit=()
[ -n "${GPU_CHECK_TRAIN_LIMIT:-}" ] && limit=(--limit "$GPU_CHECK_TRAIN_LIMIT")
steps="${GPU_CHECK_STEPS:-200}"
warmup="${GPU_CHECK_WARMUP:-20}"
java="$here/jdk/bin/java"
flags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx8g)
log="$here/gpu-check-$(hostname)-$(date +%Y%m%d-%H%M%S).log"
exec > >(tee -a "$log") 2>&1

declare -a results=()
section() { echo; echo "== $*"; }
record() { results+=("$(printf '%-34s %s' "$1" "$2")"); }

[ -x "$java" ] || { echo "gpu-check: no JDK at $java (build this folder with benchmarks/gpu/prepare.sh)"; exit 2; }

section "GPU and driver"
if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv
else
    echo "nvidia-smi not found"
fi

section "myelin info"
info="$("$java" "${flags[@]}" -jar "$here/myelin.jar" info 2>&1)"
echo "$info"
if [ "$backend" = cuda ] && ! grep -Eq '^  cuda +available' <<<"$info"; then
    echo
    echo "gpu-check: the CUDA backend cannot start here (reason above, on the 'cuda' line); stopping."
    exit 1
fi

section "backend test suites (conformance on every available backend, CUDA unit tests)"
junit="$(ls "$here"/lib/junit-platform-console-standalone-*.jar | head -n 1)"
cp_tests="$here/myelin.jar:$here/test-classes:$(ls "$here"/lib/*.jar | grep -v console-standalone | tr '\n' ':')"
if MYELIN_TEST_DATA="$here/data" "$java" "${flags[@]}" -jar "$junit" execute --disable-banner --details=summary \
        --class-path "$cp_tests" --select-package "$tests"; then
    record "backend tests" "passed"
else
    record "backend tests" "FAILED (see above)"
fi

section "MNIST MLP, $epochs epochs, --backend $backend"
if "$java" "${flags[@]}" -jar "$here/myelin.jar" train --backend "$backend" --epochs "$epochs" "${limit[@]}" --data "$here/data/mnist" --no-progress; then
    record "MNIST MLP $epochs epochs" "ran (accuracy above)"
else
    record "MNIST MLP $epochs epochs" "FAILED (see above)"
fi

section "step rate: 784-4096-4096-10 MLP, batch 256, SGD momentum 0.9, lr 0.01"
if [ "$steps" -eq 0 ]; then
    echo "skipped (GPU_CHECK_STEPS=0)"
    record "Myelin step rate" "skipped"
else
myelin_rate="$("$java" "${flags[@]}" -cp "$here/myelin.jar:$here/bench" MlpStepRate "$backend" "$steps" "$warmup" 2>&1)"
echo "$myelin_rate"
record "Myelin step rate" "$(grep -Eo '[0-9.]+ steps/s' <<<"$myelin_rate" || echo FAILED)"
if command -v python3 >/dev/null 2>&1 && python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    torch_rate="$(python3 "$here/bench/torch_mlp.py" "$steps" "$warmup" 2>&1)"
    echo "$torch_rate"
    record "PyTorch step rate" "$(grep -Eo '[0-9.]+ steps/s' <<<"$torch_rate" || echo FAILED)"
else
    echo "PyTorch comparison skipped: python3 with a CUDA-enabled torch is not installed here"
    record "PyTorch step rate" "skipped (no python3 + CUDA torch)"
fi
fi

section "summary ($backend)"
printf '%s\n' "${results[@]}"
echo "log: $log"
