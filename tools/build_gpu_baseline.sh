#!/usr/bin/env bash
# Builds braincam for the GPU (sm_90) at an earlier commit, as the baseline that gpu_check.sh
# times and profiles beside the current binary in the same run. Figures from two machines with
# cards of the same kind differ by more than many kernel changes gain, and a lent machine is rare:
# a comparison with figures from another run cannot tell a kernel change from the machine.
#
#   tools/build_gpu_baseline.sh COMMIT [BUILD_DIR]
#
# Writes BUILD_DIR/baseline/braincam and BUILD_DIR/baseline/commit (BUILD_DIR: build-gpu, where
# gpu_check.sh looks for them). The sources come from `git archive` into
# BUILD_DIR/baseline-src, built in BUILD_DIR/baseline-build, which a later call for the same
# commit reuses. Only the braincam target is built: a few minutes on 2 cores from scratch. It
# fails unless that braincam has the CUDA backend (nvcc found). Carry BUILD_DIR/baseline to the
# GPU machine with the other binaries.
set -euo pipefail

[[ $# -ge 1 && $# -le 2 ]] || { echo "usage: $0 COMMIT [BUILD_DIR]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$root" rev-parse --verify --quiet "$1^{commit}") ||
  { echo "$0: $1 is not a commit of this repository" >&2; exit 2; }
build=$(realpath -m "${2:-$root/build-gpu}")
src="$build/baseline-src" objects="$build/baseline-build" out="$build/baseline"

if [[ $(cat "$src/.commit" 2>/dev/null) != "$commit" ]]; then
  rm -rf "$src" "$objects"
  mkdir -p "$src"
  git -C "$root" archive "$commit" | tar -x -C "$src"
  echo "$commit" >"$src/.commit"
fi
cmake -S "$src" -B "$objects" -DCMAKE_BUILD_TYPE=Release -DBRAINCAM_CUDA=ON \
  -DCMAKE_CUDA_ARCHITECTURES=90 -DBRAINCAM_TESTS=OFF -DBRAINCAM_BENCHMARKS=OFF >"$build/baseline-configure.log"
cmake --build "$objects" -j "$(nproc)" --target braincam
# Without nvcc the commit's CMakeLists builds a CPU-only braincam, which would only fail on the GPU
# machine.
[[ $(ldd "$objects/braincam") == *libcudart* ]] ||
  { echo "$0: braincam at ${commit:0:7} was built without CUDA (see $build/baseline-configure.log)" >&2; exit 1; }

mkdir -p "$out"
cp "$objects/braincam" "$out/braincam.tmp"
mv "$out/braincam.tmp" "$out/braincam"
echo "$commit" >"$out/commit.tmp"
mv "$out/commit.tmp" "$out/commit"
echo "baseline braincam at ${commit:0:7}: $out/braincam"
