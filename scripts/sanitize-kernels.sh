#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer over the C kernels (Sources/CQuantKernels): compiles them
# with the harness tools/sanitize/kernels_check.c (every type × SIMD level × thread count, attention,
# softmax, SwiGLU, exp; block tails and odd lengths) using -fsanitize=address,undefined
# -fno-sanitize-recover=all, so any out-of-bounds access, use-after-free or undefined behaviour aborts with
# a report. Also checks that the levels agree bit for bit. Usage: scripts/sanitize-kernels.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cc=$(command -v clang || true)
[ -n "$cc" ] || { echo "clang not found (it ships with the Swift toolchain)" >&2; exit 1; }
out=.build/sanitize
mkdir -p "$out"
"$cc" -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -ffp-contract=off \
  -ISources/CQuantKernels/include -ISources/CQuantKernels Sources/CQuantKernels/*.c tools/sanitize/kernels_check.c \
  -lm -lpthread -o "$out/kernels_check"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 "$out/kernels_check"
