#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, from the Swift toolchain) of EdgeLab's input boundaries.
#   scripts/fuzz.sh TARGET SECONDS [libFuzzer flags…]   TARGET: gguf | safetensors | tokenizer | lua-options | all
#   scripts/fuzz.sh replay                               replay fuzz/corpus/* through an ordinary build (no libFuzzer)
# Builds Sources/edgelab-fuzz with -sanitize=fuzzer,address into .build/fuzz (its own scratch folder), then
# runs the target for SECONDS with a 2 GiB malloc limit (an allocation above it is a finding, like a crash)
# and 10 s per input. The program's own memory budget is set to 1 GiB (EDGELAB_MEMORY_BUDGET), below the
# fuzzer's limit, so an allocation the limits let through is a finding while one they refuse is an error,
# whatever the machine's free memory. Input length is capped per target (-max_len; a later flag overrides):
# gguf 8192 (the mini seeds are 5.4 KB; the larger seeds are cut, their headers still parse), tokenizer
# 512 (encode/decode cost grows with the text; the small tokenizer.json seed is 382 bytes); safetensors and
# lua-options keep libFuzzer's default (4096; lua-options inputs stay under 100 bytes anyway). Pass -runs=N to stop after N
# executions (the benchmark: -runs=1000000). Seeds: fuzz/corpus/TARGET (committed: real files and past
# findings); new coverage goes to .build/fuzz-corpus/TARGET; crashing inputs to fuzz/crashes/TARGET/ — move
# them into fuzz/corpus/TARGET once fixed, so FuzzTargetsTests replays them on every test run.
# Exit status: libFuzzer's (0 = no finding; for `all`, the last nonzero one).
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(gguf safetensors tokenizer lua-options)
target=${1:?usage: scripts/fuzz.sh TARGET SECONDS [flags] (TARGET: ${targets[*]} | all | replay)}

if [ "$target" = replay ]; then
  swift build -c release --product edgelab-fuzz >&2
  for t in "${targets[@]}"; do .build/release/edgelab-fuzz "$t" "fuzz/corpus/$t"; done
  exit 0
fi

seconds=${2:?usage: scripts/fuzz.sh TARGET SECONDS}
shift 2
scratch=.build/fuzz
swift build -c release --scratch-path "$scratch" --product edgelab-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DEDGELAB_LIBFUZZER \
  -Xcc -fsanitize=fuzzer-no-link,address -Xswiftc -use-ld=lld >&2
bin="$scratch/release/edgelab-fuzz"

run_one() {
  local t=$1; shift
  mkdir -p ".build/fuzz-corpus/$t" "fuzz/crashes/$t" "fuzz/corpus/$t"
  echo "== fuzz $t for ${seconds}s" >&2
  local len=() max=0
  case $t in
    gguf) max=8192 ;;
    tokenizer) max=512 ;;
  esac
  # Committed seeds longer than the cap would be cut (a cut GGUF still parses its whole 259-token
  # vocabulary, then fails: slow and shallow), so a capped target is seeded only with the files that fit
  # (-seed_inputs; the mini seeds reach the same code); the replay tests run every file whole.
  local corpus=("fuzz/corpus/$t")
  if [ "$max" -gt 0 ]; then
    len=(-max_len="$max")
    local seeds
    seeds=$(find "fuzz/corpus/$t" -type f -size -"$((max + 1))"c | sort | paste -sd, -)
    corpus=()
    [ -n "$seeds" ] && len+=(-seed_inputs="$seeds")
  fi
  # Sanitizer options: abort on the first error with a report; leaks are not findings here (caches live
  # for the process by design). One BLAS thread: fuzzed models are a few KB.
  EDGELAB_MEMORY_BUDGET=${EDGELAB_MEMORY_BUDGET:-1G} OPENBLAS_NUM_THREADS=1 \
  ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 \
  "$bin" "$t" -max_total_time="$seconds" -rss_limit_mb=4096 -malloc_limit_mb=2048 -timeout=10 "${len[@]}" \
    -artifact_prefix="fuzz/crashes/$t/" -print_final_stats=1 "$@" ".build/fuzz-corpus/$t" "${corpus[@]}"
}

if [ "$target" = all ]; then
  status=0
  for t in "${targets[@]}"; do run_one "$t" "$@" || status=$?; done
  exit $status
fi
run_one "$target" "$@"
