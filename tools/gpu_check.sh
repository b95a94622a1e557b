#!/usr/bin/env bash
# The one script to run on a lent GPU machine (an H100 or H200): every GPU check and figure of
# the project in one pass of about 6 minutes, each step with its own timeout and result, so that
# one failure hides nothing else; a summary table last.
#
#   tools/gpu_check.sh OUT_DIR [--build-dir DIR] [--budget SECONDS] [--skip STEP,...]
#                      [--commit SHA] [--baseline DIR] [--dry-run]
#
# OUT_DIR, new or empty, receives every log, gradcheck.json, kernels.json, the bench and PyTorch
# JSON, results/<time>-<commit>-<card>.json (for benchmarks/results/) and summary.md. --dry-run
# prints what each step would run and still ends with the summary. --skip names steps not to
# run (say, the PyTorch baselines when they were measured on the same card earlier). --commit names the commit
# measured (default: git rev-parse HEAD; pass it when the checkout's .git is not that of the
# working tree, as on a machine that receives a copy of the files). --baseline names a folder with
# a braincam built at an earlier commit and that commit (default BUILD_DIR/baseline, made by
# tools/build_gpu_baseline.sh): its training step is timed and profiled in the same run, so that
# a kernel change is judged on the same card. Without a GPU the GPU steps say "skipped: no GPU".
# Exit status: 0 when no step failed (skips included), 1 otherwise.
#
# Build: carry, do not build on the device. A build made on a CPU-only machine with the same
# CUDA 13 runs there (sm_90 SASS plus compute_90 PTX, see CMakeLists.txt). Measured on a 2-core
# machine shared with other builds: configure 10 s; braincam, braincam_kernel_tests and
# braincam_gpu_benchmarks (before braincam_model_tests joined them) from scratch 18 minutes of wall time, 9 min 47 s of CPU time (nvcc
# and the C++ of the whole engine). Even spread over 16 cores that would take a good part of the
# device allowance, for nothing the CPU-only machine cannot do. So build there; one command does
# all of what follows and prints what to carry and the command to run:
#   tools/gpu_prepare.sh [--baseline COMMIT]
# By hand:
#   cmake -S . -B build-gpu -DBRAINCAM_BENCHMARKS=ON
#   cmake --build build-gpu -j2 --target braincam braincam_kernel_tests braincam_model_tests \
#     braincam_gpu_benchmarks
# and bring the four binaries to the GPU machine's checkout at the same paths (15 MB in all
# when measured; the CUDA, cuBLAS and cuDNN libraries are the machine's own):
#   build-gpu/braincam  build-gpu/tests/kernels/braincam_kernel_tests
#   build-gpu/tests/model/braincam_model_tests  build-gpu/benchmarks/braincam_gpu_benchmarks
# and the baseline's folder, build-gpu/baseline, when there is one (6 MB).
# Libraries of this machine's Debian packages that the GPU machine's image lacks (libnifti2 and
# libznz for the NIfTI reader) go in build-gpu/runtime-libs, which this script puts on the library
# path; carry that folder too:
#   mkdir -p build-gpu/runtime-libs && cp -L /lib/x86_64-linux-gnu/lib{nifti2.so.2,znz.so.3} build-gpu/runtime-libs/
# When they are missing, the "build" step configures and builds them here with every core.
#
# compute-sanitizer is not part of the CUDA toolkit on this project's machines, and no package
# registry they reach has it: where the device machine lacks it too, the three sanitizer steps
# say "skipped: no compute-sanitizer" (the emulator's random schedules and poisoned shared memory
# remain the race and initialization checks).
#
# Steps, in order (timeout in seconds; none starts once --budget, default 330, is spent):
#   build            the binaries above (or reuse them); ldd finds their libraries    300
#   nvidia-smi       card, driver, memory, clocks                                      20
#   kernel-tests     braincam_kernel_tests "[gpu],[gpu_runtime]"                        90
#   model-tests      braincam_model_tests "[gpu]": training step, its CUDA graph, RecordedCam 90
#   gradcheck        braincam gradcheck --device cuda (batch 32)                      120
#   step-small       step on cuda vs the CPU reference, batch 2, 64x64 (files kept)    60
#   step-full        the same at batch 32, 240x240, exact convolution outputs         120
#   step-full-reference   the same on the per-op kernels                               120
#   memcheck-step    compute-sanitizer memcheck on the small step                      60
#   racecheck-step   compute-sanitizer racecheck on the small step                     60
#   memcheck-train   compute-sanitizer memcheck on 1 epoch of `braincam train` over
#                    16 tiny images (tools/tiny_image_set.py), attention on            90
#   kernel-bench     braincam_gpu_benchmarks --json                                   180
#   bench-train      braincam bench --device cuda --mode train (batch 32, fused path)  60
#   bench-train-reference   the same on the per-op kernels                             60
#   baseline-train   bench-train with the baseline's braincam                          60
#   bench-infer, bench-infer-reference   --mode infer, batch 32, on each path          60
#   bench-infer-256, bench-infer-1       inference at batch 256 and 1, fused path      60
#                    (every --mode infer step replays the forward from a CUDA graph)
#   bench-infer-1-no-graph               batch 1 with --graph off                     60
#   bench-explain-1  one image's inference with its CAM map on the host (--mode explain:
#                    the forward and the CAM reduction replayed from a CUDA graph)        60
#   bench-explain-1-no-graph             the same with --graph off                    60
#   bench-schedule   braincam bench --mode schedule: the 15-epoch schedule with validation
#                    as the trainer runs it (images and patch moments kept on the GPU, steps
#                    replayed from CUDA graphs)                                          90
#   bench-schedule-no-graph   the same with --graph off (every kernel queued from the host) 90
#   profile-baseline ncu: each kernel's time in the baseline's training step          90
#   profile          ncu: each kernel's time in a training step (batch 32), beside the
#                    baseline's                                                         90
#   torch-eager      benchmarks/gpu/torch_gpu_baseline.py --backend eager             120
#   torch-compile    the same with --backend compile                                  180
#   results          benchmarks/gpu/write_results.py into OUT_DIR/results/             20
set -uo pipefail

usage() { echo "usage: $0 OUT_DIR [--build-dir DIR] [--budget SECONDS] [--skip STEP,...] [--commit SHA] [--baseline DIR] [--dry-run]" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
out=""
build="$root/build-gpu"
budget=330
dry_run=0
skip=","
commit=""
baseline=""
while (($#)); do
  case $1 in
    --build-dir) [[ $# -ge 2 ]] || usage; build=$(realpath -m "$2"); shift 2 ;;
    --budget) [[ $# -ge 2 && $2 =~ ^[0-9]+$ ]] || usage; budget=$2; shift 2 ;;
    --skip) [[ $# -ge 2 ]] || usage; skip=",$2,"; shift 2 ;;
    --commit) [[ $# -ge 2 ]] || usage; commit=$2; shift 2 ;;
    --baseline) [[ $# -ge 2 ]] || usage; baseline=$(realpath -m "$2"); shift 2 ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    -*) usage ;;
    *) [[ -z $out ]] || usage; out=$1; shift ;;
  esac
done
[[ -n $out ]] || usage
# One run per folder: files of an earlier run would stand in for those of steps this one skips.
if [[ -d $out && -n $(ls -A "$out") ]]; then
  echo "$0: $out holds an earlier run; name a new folder" >&2
  exit 2
fi
# The baseline: a braincam built at an earlier commit, and that commit. A folder named with
# --baseline must hold both; the default one is used when it does.
baseline_named=$baseline
[[ -n $baseline ]] || baseline="$build/baseline"
baseline_braincam="$baseline/braincam"
baseline_commit=$(cat "$baseline/commit" 2>/dev/null)
if [[ ! -x $baseline_braincam || -z $baseline_commit ]]; then
  if [[ -n $baseline_named ]]; then
    echo "$0: --baseline $baseline_named: no braincam and commit there (tools/build_gpu_baseline.sh)" >&2
    exit 2
  fi
  baseline="" baseline_commit=""
fi
[[ -n $commit ]] || commit=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
mkdir -p "$out/logs" || exit 2
out=$(cd "$out" && pwd)

braincam="$build/braincam"
kernel_tests="$build/tests/kernels/braincam_kernel_tests"
model_tests="$build/tests/model/braincam_model_tests"
gpu_bench="$build/benchmarks/braincam_gpu_benchmarks"
[[ -d $build/runtime-libs ]] && export LD_LIBRARY_PATH="$build/runtime-libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
sanitizer=$(command -v compute-sanitizer || echo /usr/local/cuda/bin/compute-sanitizer)
[[ -x $sanitizer ]] || sanitizer=""
profiler=$(command -v ncu || echo /usr/local/cuda/bin/ncu)
[[ -x $profiler ]] || profiler=""
# The first python3 that imports numpy (the step checks), and one that imports torch (the
# PyTorch baseline; it says "skipped" itself when there is none).
first_python() {
  local candidate
  for candidate in /usr/bin/python3 python3; do
    "$candidate" -c "import $1" 2>/dev/null && { command -v "$candidate"; return; }
  done
  command -v python3
}
python=$(first_python numpy)
torch_python=$(first_python torch)
start_all=$SECONDS

has_gpu=0
nvidia-smi -L >/dev/null 2>&1 && has_gpu=1

# ---- one step: run it with a timeout, log it, keep its result -------------------------------
names=() results=() seconds=() figures=()
failed=0

# step NAME TIMEOUT NEEDS COMMAND...: runs COMMAND, its output in logs/NAME.log. NEEDS: the
# words of what it needs, "-" for nothing: gpu, sanitizer (compute-sanitizer), ncu (Nsight
# Compute), baseline (the --baseline binary).
step() {
  local name=$1 limit=$2 needs=$3
  shift 3
  local log="$out/logs/$name.log" start=$SECONDS result rc
  local left=$((budget - (SECONDS - start_all)))
  printf '\n== %s\n$ %s\n' "$name" "$*" | tee "$log"
  if ((dry_run)); then
    result="dry-run"
  elif [[ $skip == *",$name,"* ]]; then
    result="skipped: --skip"
  elif [[ $needs == *gpu* ]] && ((!has_gpu)); then
    result="skipped: no GPU"
  elif [[ $needs == *sanitizer* && -z $sanitizer ]]; then
    result="skipped: no compute-sanitizer"
  elif [[ $needs == *ncu* && -z $profiler ]]; then
    result="skipped: no ncu"
  elif [[ $needs == *baseline* && -z $baseline ]]; then
    result="skipped: no baseline"
  elif ((left < 10)); then
    result="skipped: budget spent"
  else
    ((limit > left)) && limit=$left
    # Shell functions run in a child bash, which gets them and the variables they use exported.
    timeout --kill-after=10 "$limit" bash -c '"$@"' bash "$@" >>"$log" 2>&1
    rc=$?
    tail -n 25 "$log"
    case $rc in
      0) result="pass" ;;
      77) result="skipped: $(grep -m1 -io 'skipped.*' "$log" | cut -c1-60)" ;;
      124|137) result="FAIL: timeout ${limit}s"; failed=1 ;;
      *) result="FAIL: exit $rc"; failed=1 ;;
    esac
  fi
  echo "-- $name: $result ($((SECONDS - start)) s)" | tee -a "$log"
  names+=("$name") results+=("$result") seconds+=($((SECONDS - start))) figures+=("")
}

# figure TEXT: the key figures of the last step, for the summary (when it ran).
figure() {
  case ${results[${#results[@]} - 1]} in
    pass|FAIL*) figures[${#figures[@]} - 1]=$1 ;;
  esac
}

# json_field FILE EXPRESSION: a value from a JSON file (empty when absent), e.g. '["epoch_s"]'.
json_field() {
  [[ -s $1 && -n $python ]] || return 0
  "$python" -c "import json,sys; d=json.load(open(sys.argv[1])); v=d$2; print(f'{v:.3g}' if isinstance(v, float) else v)" "$1" 2>/dev/null
}

# json_ratio FILE_A FILE_B EXPRESSION: the value in FILE_A over the value in FILE_B, as "1.23".
json_ratio() {
  [[ -s $1 && -s $2 && -n $python ]] || return 0
  "$python" -c "import json,sys; a, b = (json.load(open(f))$3 for f in sys.argv[1:3]); print(f'{a / b:.3g}')" "$1" "$2" 2>/dev/null
}

# ---- build or reuse ---------------------------------------------------------------------------
build_binaries() {
  if [[ -x $braincam && -x $kernel_tests && -x $model_tests && -x $gpu_bench ]]; then
    echo "using the binaries in $build"
  else
    cmake -S "$root" -B "$build" -DBRAINCAM_BENCHMARKS=ON -DCMAKE_CUDA_ARCHITECTURES=90 &&
      cmake --build "$build" -j "$(nproc)" --target braincam braincam_kernel_tests \
        braincam_model_tests braincam_gpu_benchmarks ||
      return 1
  fi
  local missing
  missing=$(ldd "$braincam" "$kernel_tests" "$model_tests" "$gpu_bench" | grep 'not found')
  [[ -z $missing ]] || { echo "libraries not found: $missing"; return 1; }
}
export root build out python braincam kernel_tests model_tests gpu_bench sanitizer profiler
export -f build_binaries
step build 300 - build_binaries
figure "$( ((dry_run)) || du -ch "$braincam" "$kernel_tests" "$model_tests" "$gpu_bench" 2>/dev/null | tail -1 | cut -f1) binaries"

# ---- the card ---------------------------------------------------------------------------------
step nvidia-smi 20 gpu nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem,power.limit --format=csv
card=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
figure "${card:-}"

# ---- correctness ------------------------------------------------------------------------------
step kernel-tests 90 gpu "$kernel_tests" "[gpu],[gpu_runtime]"
figure "$(grep -m1 -E 'test cases|All tests passed' "$out/logs/kernel-tests.log" 2>/dev/null)"
step model-tests 90 gpu "$model_tests" "[gpu]"
figure "$(grep -m1 -E 'test cases|All tests passed' "$out/logs/model-tests.log" 2>/dev/null)"

step gradcheck 120 gpu "$braincam" gradcheck --device cuda --json "$out/gradcheck.json"
figure "$(grep -m1 '^summary:' "$out/logs/gradcheck.log" 2>/dev/null | cut -c10-)"

agreement=("$python" "$root/tests/parity/step_device_agreement.py" --braincam "$braincam" --device cuda)
step step-small 60 gpu "${agreement[@]}" --batch 2 --size 64 --workdir "$out/step-small"
figure "$(grep -m1 '^step_device_agreement:' "$out/logs/step-small.log" 2>/dev/null | cut -c24-)"
# At the model's size both kernel paths are compared on exact convolution outputs: with
# continuous inputs a few near-ties among the millions of argmax decisions go the other way when
# the convolution sums in another order than the reference (see the script's header).
step step-full 120 gpu "${agreement[@]}" --batch 32 --size 240 --exact-conv
figure "$(grep -m1 '^step_device_agreement:' "$out/logs/step-full.log" 2>/dev/null | cut -c24-)"
step step-full-reference 120 gpu "${agreement[@]}" --kernels reference --batch 32 --size 240 --exact-conv
figure "$(grep -m1 '^step_device_agreement:' "$out/logs/step-full-reference.log" 2>/dev/null | cut -c24-)"

small_step=("$braincam" step --device cuda --checkpoint "$out/step-small/checkpoint.safetensors"
            --batch "$out/step-small/batch.safetensors" --out "$out/step-small/sanitized.safetensors")
for tool in memcheck racecheck; do
  step "$tool-step" 60 "gpu sanitizer" "${sanitizer:-compute-sanitizer}" --tool "$tool" --error-exitcode 1 "${small_step[@]}"
  figure "$(grep -m1 -E 'ERROR SUMMARY|RACECHECK SUMMARY' "$out/logs/$tool-step.log" 2>/dev/null)"
done

sanitized_training() {
  local data="$out/train/images" cache="$out/train/cache"
  rm -rf "$out/train"
  "$python" "$root/tools/tiny_image_set.py" "$data" --count 16 &&
    "$braincam" prepare --data "$data" --out "$cache" &&
    "$sanitizer" --tool memcheck --error-exitcode 1 "$braincam" train --cache "$cache" \
      --out "$out/train/run" --epochs 1 --warmup-epochs 0 --batch 4 --device cuda --no-charts
}
export -f sanitized_training
step memcheck-train 90 "gpu sanitizer" sanitized_training
figure "$(grep -m1 'ERROR SUMMARY' "$out/logs/memcheck-train.log" 2>/dev/null)"

# ---- performance ------------------------------------------------------------------------------
step kernel-bench 180 gpu "$gpu_bench" --json "$out/kernels.json"
figure "FMA $(json_field "$out/kernels.json" '["ceilings"]["fma_gflop_per_s"]') GFLOP/s, copy $(json_field "$out/kernels.json" '["ceilings"]["copy_gb_per_s"]') GB/s"

# Whole steps at batch 32 on both kernel paths (fast: the fused first layer; reference: one
# kernel per op), and inference at batch 256 and 1 (the latency of one image).
bench() {
  local name=$1 mode=$2 batch=$3 kernels=$4 graph=${5:-on}
  step "$name" 60 gpu sh -c '"$1" bench --device cuda --mode "$2" --batch "$3" --kernels "$4" --graph "$5" --warmup 3 --steps 20 --json > "$6"' \
    sh "$braincam" "$mode" "$batch" "$kernels" "$graph" "$out/$name.json"
  figure "$(json_field "$out/$name.json" '["images_per_s"]') images/s, $(json_field "$out/$name.json" '["seconds_per_step"]') s/step"
}
bench bench-train train 32 fast
bench bench-train-reference train 32 reference
# The baseline's training step, timed as bench-train times this commit's (its bench takes the
# same options; --graph, which --mode train does not use, came later).
step baseline-train 60 "gpu baseline" sh -c '"$1" bench --device cuda --mode train --batch 32 --kernels fast --warmup 3 --steps 20 --json > "$2"' \
  sh "$baseline_braincam" "$out/baseline-train.json"
[[ -s $out/baseline-train.json ]] &&
  figure "${baseline_commit:0:7}: $(json_field "$out/baseline-train.json" '["seconds_per_step"]') s/step; this commit's step takes $(json_ratio "$out/bench-train.json" "$out/baseline-train.json" '["seconds_per_step"]') of it"
bench bench-infer infer 32 fast
bench bench-infer-reference infer 32 reference
bench bench-infer-256 infer 256 fast
bench bench-infer-1 infer 1 fast
bench bench-infer-1-no-graph infer 1 fast off
bench bench-explain-1 explain 1 fast
bench bench-explain-1-no-graph explain 1 fast off
step bench-schedule 90 gpu sh -c '"$1" bench --device cuda --mode schedule --json > "$2"' \
  sh "$braincam" "$out/bench-schedule.json"
figure "set-up $(json_field "$out/bench-schedule.json" '["setup_s"]') s, epoch $(json_field "$out/bench-schedule.json" '["epoch_s"]') s, 15 epochs $(json_field "$out/bench-schedule.json" '["total_s"]') s with the set-up; graphs hold $(json_field "$out/bench-schedule.json" '["graph_mib"]') MiB"
step bench-schedule-no-graph 90 gpu sh -c '"$1" bench --device cuda --mode schedule --graph off --json > "$2"' \
  sh "$braincam" "$out/bench-schedule-no-graph.json"
figure "epoch $(json_field "$out/bench-schedule-no-graph.json" '["epoch_s"]') s, 15 epochs $(json_field "$out/bench-schedule-no-graph.json" '["total_s"]') s with the set-up"

# Per-kernel time of a training step: ncu serializes the kernels and reports each one's duration
# (clocks left as the card has them). Warm-up 1 + 2 steps; the table divides by 3.
# kernel_profile BRAINCAM NAME [BASELINE_JSON]: into NAME.csv and NAME.json, with the baseline's
# time beside each kernel's when BASELINE_JSON was written.
kernel_profile() {
  local compare=()
  [[ -s ${3:-} ]] && compare=(--baseline "$3")
  "$profiler" --clock-control none --csv --page raw --metrics gpu__time_duration.sum \
    "$1" bench --device cuda --mode train --batch 32 --warmup 1 --steps 2 >"$out/$2.csv" &&
    "$python" "$root/benchmarks/gpu/kernel_profile.py" "$out/$2.csv" --steps 3 --json "$out/$2.json" \
      "${compare[@]}"
}
export -f kernel_profile
step profile-baseline 90 "gpu ncu baseline" kernel_profile "$baseline_braincam" profile-baseline
figure "$(grep -m1 '^kernel_profile:' "$out/logs/profile-baseline.log" 2>/dev/null | cut -c17-)"
step profile 90 "gpu ncu" kernel_profile "$braincam" profile "$out/profile-baseline.json"
figure "$(grep -m1 '^kernel_profile:' "$out/logs/profile.log" 2>/dev/null | cut -c17-)"

step torch-eager 120 gpu sh -c '"$1" "$2" --backend eager --json > "$3"' sh "$torch_python" \
  "$root/benchmarks/gpu/torch_gpu_baseline.py" "$out/torch-eager.json"
figure "epoch $(json_field "$out/torch-eager.json" '["epoch_s"]') s"
step torch-compile 180 gpu sh -c '"$1" "$2" --backend compile --json > "$3"' sh "$torch_python" \
  "$root/benchmarks/gpu/torch_gpu_baseline.py" "$out/torch-compile.json"
figure "epoch $(json_field "$out/torch-compile.json" '["epoch_s"]') s"

step results 20 gpu "$python" "$root/benchmarks/gpu/write_results.py" \
  --commit "$commit" \
  --kernels "$out/kernels.json" --braincam-train "$out/bench-train.json" \
  --braincam-infer "$out/bench-infer.json" \
  --braincam-train-reference "$out/bench-train-reference.json" \
  --braincam-infer-reference "$out/bench-infer-reference.json" \
  --braincam-infer-256 "$out/bench-infer-256.json" --braincam-infer-1 "$out/bench-infer-1.json" \
  --braincam-schedule "$out/bench-schedule.json" --braincam-explain-1 "$out/bench-explain-1.json" \
  --braincam-schedule-no-graph "$out/bench-schedule-no-graph.json" \
  --braincam-infer-1-no-graph "$out/bench-infer-1-no-graph.json" \
  --braincam-explain-1-no-graph "$out/bench-explain-1-no-graph.json" \
  --torch-eager "$out/torch-eager.json" \
  --baseline-train "$out/baseline-train.json" "--baseline-commit=$baseline_commit" \
  --torch-compile "$out/torch-compile.json" --out-dir "$out/results" --table "$out/training-table.md"
figure "$(grep -o 'results/[^ ]*[.]json' "$out/logs/results.log" 2>/dev/null | tail -1)"

# ---- summary ----------------------------------------------------------------------------------
{
  echo
  echo "## GPU check: ${card:-no GPU}, commit ${commit:0:7}${baseline_commit:+ (baseline ${baseline_commit:0:7})}, $((SECONDS - start_all)) s"
  echo
  echo "| step | result | seconds | key figures |"
  echo "|---|---|---|---|"
  for i in "${!names[@]}"; do
    echo "| ${names[$i]} | ${results[$i]} | ${seconds[$i]} | ${figures[$i]} |"
  done
  # write_results.py's table of the training figures against PyTorch, with the goals.
  if [[ -s $out/training-table.md ]]; then
    echo
    cat "$out/training-table.md"
  fi
} | tee "$out/summary.md"
exit $failed
