#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each briefly on its seed corpus.
#   [FUZZ_SEED=N] run_fuzzers.sh SOURCE_DIR BUILD_DIR SECONDS_PER_TARGET
# Exits 77 (CTest's "skipped") when clang++ is not installed, and says so.
set -euo pipefail
src=$1 build=$2 seconds=$3
if ! command -v clang++ > /dev/null; then
  echo "SKIPPED: clang++ not found; the libFuzzer targets need clang"
  exit 77
fi
cmake -S "$src/tests/fuzz" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo > "$build.log" 2>&1 \
  || { cat "$build.log"; exit 1; }
cmake --build "$build" -j "$(nproc)" >> "$build.log" 2>&1 || { cat "$build.log"; exit 1; }
for fuzzer in "$build"/*_fuzzer; do
  name=$(basename "$fuzzer")
  corpus="$build/corpus/$name"
  mkdir -p "$corpus"
  # Seeds: the files under tests/fuzz/seeds/<name>/, if any, plus what earlier runs found.
  seeds=()
  [[ -d "$src/tests/fuzz/seeds/$name" ]] && seeds+=("$src/tests/fuzz/seeds/$name")
  # A fixed seed by default: from a fresh build folder, as in `make test` from a fresh clone, each
  # run mutates the same inputs in the same order (as far as its time allows), so a finding there
  # fails it every time rather than once in a while. Later runs in the same folder start from the
  # inputs earlier runs added to the corpus. FUZZ_SEED=0 lets libFuzzer pick a seed.
  echo "== $name: ${seconds}s, seed ${FUZZ_SEED:-1}"
  "$fuzzer" -max_total_time="$seconds" -seed="${FUZZ_SEED:-1}" -print_final_stats=1 \
    -artifact_prefix="$build/" "$corpus" "${seeds[@]}" 2>&1 | tail -n 12
done
