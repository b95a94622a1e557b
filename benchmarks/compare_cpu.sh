#!/usr/bin/env bash
# braincam's CPU paths next to PyTorch, on the same machine, threads and batch, in one run:
#
#   benchmarks/compare_cpu.sh [BUILD_DIR] [THREADS]      (defaults: build, 2)
#
# For training and inference it prints images/s of braincam's fast path, its reference path and
# PyTorch (benchmarks/torch_baseline.py), the ratios, GFLOP/s of the nominal convolution flops
# and their fraction of the machine's peak (benchmarks/peak_flops.cpp), and the peak resident
# memory of each braincam run. STEPS, REFERENCE_STEPS and TORCH_STEPS set the timed steps (medians
# for braincam, means for PyTorch); PYTHON names an interpreter that imports torch.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
threads=${2:-2}
batch=32
steps=${STEPS:-10}
reference_steps=${REFERENCE_STEPS:-2}
torch_steps=${TORCH_STEPS:-5}
braincam=$build/braincam
peak=$build/benchmarks/braincam_peak_flops
for binary in "$braincam" "$peak"; do
  [[ -x $binary ]] || { echo "compare_cpu.sh: $binary not built (cmake --build $build)" >&2; exit 1; }
done

python=${PYTHON:-}
if [[ -z $python ]]; then
  for candidate in /usr/bin/python3 python3; do
    if "$candidate" -c "import torch" 2>/dev/null; then python=$candidate; break; fi
  done
fi
[[ -n $python ]] || { echo "compare_cpu.sh: no python3 that imports torch (set PYTHON)" >&2; exit 1; }

export OMP_NUM_THREADS=$threads
results=$(mktemp)
trap 'rm -f "$results"' EXIT
{
  echo "{\"peak\": $("$peak" --json),"
  for mode in train infer; do
    echo "\"$mode\": {"
    echo "\"fast\": $("$braincam" bench --mode "$mode" --batch $batch --steps "$steps" --threads "$threads" --kernels fast --json),"
    echo "\"reference\": $("$braincam" bench --mode "$mode" --batch $batch --steps "$reference_steps" --threads "$threads" --kernels reference --json),"
    echo "\"pytorch\": $("$python" "$root/benchmarks/torch_baseline.py" --mode "$mode" --batch $batch --steps "$torch_steps" --threads "$threads" --json)"
    [[ $mode == train ]] && echo "}," || echo "}"
  done
  echo "}"
} > "$results"

"$python" - "$results" <<'EOF'
import json
import sys

r = json.load(open(sys.argv[1]))
peak = r["peak"]["gflop_per_s"]
print(f"peak: {peak:.1f} GFLOP/s float32 ({r['peak']['simd']} FMA loop, {r['peak']['threads']} threads)")
print("| mode | braincam fast img/s | reference img/s | PyTorch img/s | fast / PyTorch | reference / PyTorch "
      "| fast GFLOP/s | fast % of peak | fast peak RSS MB | reference peak RSS MB |")
print("|---|---|---|---|---|---|---|---|---|---|")
for mode in ("train", "infer"):
    fast, ref, torch = r[mode]["fast"], r[mode]["reference"], r[mode]["pytorch"]
    print(f"| {mode} | {fast['images_per_s']:.1f} | {ref['images_per_s']:.1f} | {torch['images_per_s']:.1f} "
          f"| {fast['images_per_s'] / torch['images_per_s']:.2f} | {ref['images_per_s'] / torch['images_per_s']:.2f} "
          f"| {fast['gflop_per_s']:.1f} | {100 * fast['gflop_per_s'] / peak:.1f} "
          f"| {fast['peak_rss_mb']:.0f} | {ref['peak_rss_mb']:.0f} |")
print(f"batch {r['train']['fast']['batch']}, {r['train']['fast']['threads']} threads, "
      f"PyTorch {r['train']['pytorch']['torch_version']}; GFLOP/s counts the convolution's nominal flops "
      f"({r['train']['fast']['conv_gflop_per_step']:.2f} GFLOP per training step, "
      f"{r['infer']['fast']['conv_gflop_per_step']:.2f} per inference step)")
EOF
