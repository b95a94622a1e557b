#!/usr/bin/env bash
# Prepares, on a machine without a GPU, everything a run of tools/gpu_check.sh on a lent GPU
# machine needs, so that none of its time goes to building:
#
#   tools/gpu_prepare.sh [--baseline COMMIT] [BUILD_DIR]
#
# BUILD_DIR (default build-gpu) must lie in the repository: the GPU machine receives a copy of the
# working tree, and the binaries travel with it at the same paths.
# 1. configures BUILD_DIR with the CUDA backend for sm_90 and builds braincam,
#    braincam_kernel_tests, braincam_model_tests and braincam_gpu_benchmarks;
# 2. copies the libraries of this machine's Debian packages that a GPU machine's image may lack
#    (the NIfTI reader's libnifti2 and libznz) into BUILD_DIR/runtime-libs;
# 3. with --baseline, builds braincam at COMMIT into BUILD_DIR/baseline
#    (tools/build_gpu_baseline.sh), for gpu_check.sh's same-run comparison;
# 4. prints the paths to bring to the GPU machine and the command to run there.
# It refuses a working tree with uncommitted changes to tracked files: the binaries would not be
# those of the commit that gpu_check.sh records.
set -euo pipefail

usage() { echo "usage: $0 [--baseline COMMIT] [BUILD_DIR]" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd -P)
baseline="" build=""
while (($#)); do
  case $1 in
    --baseline) [[ $# -ge 2 ]] || usage; baseline=$2; shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) usage ;;
    *) [[ -z $build ]] || usage; build=$1; shift ;;
  esac
done
build=$(realpath -m "${build:-$root/build-gpu}")
[[ $build == "$root"/* ]] || { echo "$0: $build is not inside $root" >&2; exit 2; }
# Ignored by git, or the copy of the working tree would carry the whole folder anyway.
git -C "$root" check-ignore -q "$build" || { echo "$0: $build is not ignored by git (build*/ is)" >&2; exit 2; }
relative=${build#"$root"/}

if ! git -C "$root" diff --quiet HEAD --; then
  echo "$0: uncommitted changes to tracked files; commit them first" >&2
  exit 1
fi
commit=$(git -C "$root" rev-parse HEAD)

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBRAINCAM_CUDA=ON \
  -DCMAKE_CUDA_ARCHITECTURES=90 -DBRAINCAM_TESTS=ON -DBRAINCAM_BENCHMARKS=ON >"$build.configure.log"
cmake --build "$build" -j "$(nproc)" --target braincam braincam_kernel_tests braincam_model_tests \
  braincam_gpu_benchmarks
libraries=$(ldd "$build/braincam")
[[ $libraries == *libcudart* ]] ||
  { echo "$0: braincam was built without CUDA (see $build.configure.log)" >&2; exit 1; }
[[ $libraries != *"not found"* ]] || { echo "$0: libraries not found: $libraries" >&2; exit 1; }

mkdir -p "$build/runtime-libs"
awk '/libnifti2|libznz/ {print $3}' <<<"$libraries" | while read -r library; do
  cp -L "$library" "$build/runtime-libs/"
done

carry=("$relative/braincam" "$relative/tests/kernels/braincam_kernel_tests"
       "$relative/tests/model/braincam_model_tests" "$relative/benchmarks/braincam_gpu_benchmarks"
       "$relative/runtime-libs")
if [[ -n $baseline ]]; then
  "$root/tools/build_gpu_baseline.sh" "$baseline" "$build"
  carry+=("$relative/baseline")
fi
build_option=""
[[ $relative == build-gpu ]] || build_option=" --build-dir '$relative'"

echo
echo "Bring to the GPU machine's checkout of ${commit:0:7} (paths from the repository root):"
printf '  %s\n' "${carry[@]}"
echo "and run there, in a new folder OUT:"
echo "  tools/gpu_check.sh OUT --commit $commit$build_option"
