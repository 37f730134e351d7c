#!/usr/bin/env bash
# README command 2: install what is needed, then run the whole test suite (release build with testing
# enabled: the numeric tests run a real 135M-parameter model and are too slow in a debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift test -c release "$@"
