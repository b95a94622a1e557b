#!/usr/bin/env bash
# Checks that every C++ and CUDA source is formatted by clang-format (.clang-format at the top);
# lists the files that are not. Fix them with: tools/check_format.sh --fix
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t sources < <(git ls-files -- '*.cpp' '*.h' '*.cu' '*.cuh')
if [[ ${1:-} == --fix ]]; then
  clang-format -i "${sources[@]}"
  exit 0
fi
if ! report=$(clang-format --dry-run --Werror "${sources[@]}" 2>&1); then
  echo "not formatted (fix with tools/check_format.sh --fix):" >&2
  grep -oE '^[^:]+:[0-9]+:[0-9]+: error' <<< "$report" | cut -d: -f1 | sort -u >&2
  exit 1
fi
echo "format: all ${#sources[@]} C++/CUDA sources follow .clang-format"
