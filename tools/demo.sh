#!/usr/bin/env bash
# `make demo`: the main job end to end. Needs the training and explanation commands, which are
# not in braincam yet; until they are, this says so and fails instead of pretending.
set -euo pipefail
build=${1:-build}
missing=()
for cmd in synth prepare train evaluate cam; do
  "$build/braincam" "$cmd" --help > /dev/null 2>&1 || missing+=("$cmd")
done
if ((${#missing[@]})); then
  echo "make demo: braincam has no '${missing[*]}' command yet; the demo needs them." >&2
  exit 1
fi
