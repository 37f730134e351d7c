#!/usr/bin/env bash
# README command 1: install what is needed, then run the main job on the embedded default model: the
# end-to-end demo (SmolLM2-135M → compress → four metrics → cards → MEC → baselines → PPO → report.md).
# Prints one progress line per stage and, at the end, where report.md is. Extra arguments go to `edgelab run`
# (e.g. --smoke for a fast pass, --set ppo_steps=50000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec "$(swift build -c release --show-bin-path)/edgelab" run experiments/demo.lua "$@"
