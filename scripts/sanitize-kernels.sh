#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer over the C kernels (Sources/CQuantKernels) in a test build:
# the kernel tests (every ggml type × every SIMD level against the Swift reference, attention, softmax,
# SwiGLU, exp, the thread pool) run with the C code compiled -fsanitize=address,undefined
# -fno-sanitize-recover=all (any UB aborts) and the Swift code with -sanitize=address. Separate scratch
# folder (.build/sanitize); takes a full build. Usage: scripts/sanitize-kernels.sh [extra swift test args]
set -euo pipefail
cd "$(dirname "$0")/.."
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
swift test -c release --scratch-path .build/sanitize \
  -Xswiftc -sanitize=address \
  -Xcc -fsanitize=address,undefined -Xcc -fno-sanitize-recover=all -Xcc -fno-omit-frame-pointer \
  --filter 'LLMTests.(QuantCKernelTests|QuantCMathTests|GGMLQuantizedMatrixTests)' "$@"
