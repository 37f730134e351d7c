#!/usr/bin/env bash
# README command 1: install what is needed, then run the main job on the embedded default model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec "$(swift build -c release --show-bin-path)/edgelab" run experiments/quickstart.lua "$@"
