#!/usr/bin/env bash
# Regenerates the pictures of docs/data.md from a small synthetic dataset.
#   tools/data_figures.sh [BUILD_DIR]     (default: build; needs BUILD_DIR/braincam)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
braincam=$(cd "${1:-build}" && pwd)/braincam
out=$root/docs/images
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
"$braincam" synth --out "$work/synth" --count 16 --seed 7 --figure "$out/synth_examples.png"
"$braincam" prepare --data "$work/synth" --out "$work/cache" --figure "$out/preprocessing.png" > /dev/null
ls -l "$out"
