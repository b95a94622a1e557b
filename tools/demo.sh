#!/usr/bin/env bash
# `make demo`: the whole job end to end on a synthetic MRI set: generate it, prepare the cache,
# train, evaluate on the test split, explain with every CAM method, and write one HTML report.
#
# The defaults fit in about 15 minutes on a 2-core machine without a GPU: fewer images and epochs
# than the seed's schedule. Override any knob from the environment, e.g.
#   EPOCHS=15 MAX_TRAIN_IMAGES=0 make demo     # the full schedule
set -euo pipefail

build=${1:-build}
braincam="$build/braincam"

# ---- knobs ----------------------------------------------------------------------------------
DATA=${DATA:-datasets/synth}              # generated when absent
CACHE=${CACHE:-datasets/synth-cache}
RUN=${RUN:-runs/demo}
SYNTH_COUNT=${SYNTH_COUNT:-2065}          # images generated (the seed's dataset size)
EPOCHS=${EPOCHS:-6}                       # the seed trains 15
WARMUP_EPOCHS=${WARMUP_EPOCHS:-2}         # attention off in the first epochs, as the seed
MAX_TRAIN_IMAGES=${MAX_TRAIN_IMAGES:-600} # 0: the whole train split
BATCH=${BATCH:-32}
SEED=${SEED:-0}
DEVICE=${DEVICE:-auto}
CAM_COUNT=${CAM_COUNT:-4}                 # panels per group and method
FAITHFULNESS_IMAGES=${FAITHFULNESS_IMAGES:-6}
ABLATION=${ABLATION:-1}                   # 1: also train without attention and compare

# ---- steps ----------------------------------------------------------------------------------
demo_start=$SECONDS
step() {  # step "title" command...: runs one step with a header and its duration
  local title=$1 start=$SECONDS
  shift
  printf '\n== %s\n$ %s\n' "$title" "$*"
  "$@"
  printf -- '-- %s: %ds\n' "$title" $((SECONDS - start))
}

if [[ ! -d "$DATA/yes" || ! -d "$DATA/no" ]]; then
  step "generate the synthetic dataset" "$braincam" synth --out "$DATA" --count "$SYNTH_COUNT"
else
  printf '\n== using the dataset in %s\n' "$DATA"
fi
step "prepare the cache (crop, resize, split, EDA)" "$braincam" prepare --data "$DATA" --out "$CACHE"

train_args=(--cache "$CACHE" --epochs "$EPOCHS" --warmup-epochs "$WARMUP_EPOCHS"
            --batch "$BATCH" --seed "$SEED" --device "$DEVICE")
((MAX_TRAIN_IMAGES > 0)) && train_args+=(--max-train-images "$MAX_TRAIN_IMAGES")
rm -rf "$RUN"  # each demo starts a fresh run
step "train" "$braincam" train "${train_args[@]}" --out "$RUN"
step "evaluate on the test split" "$braincam" evaluate --checkpoint "$RUN/best.safetensors" --cache "$CACHE" \
  --split test --device "$DEVICE" --json "$RUN/eval.json"
if ((ABLATION)); then
  # The seed's table 6.2: the same split and seed, without attention in any epoch.
  rm -rf "$RUN-plain"
  step "train the plain model (the attention ablation)" "$braincam" train "${train_args[@]}" --out "$RUN-plain" --no-attention
  step "compare with and without attention" "$braincam" evaluate --checkpoint "$RUN/best.safetensors" \
    --baseline "$RUN-plain/best.safetensors" --cache "$CACHE" --split test --device "$DEVICE" --json "$RUN/compare.json"
fi
step "explain (every CAM method)" "$braincam" cam --checkpoint "$RUN/best.safetensors" --cache "$CACHE" \
  --split test --method all --count "$CAM_COUNT" --faithfulness-images "$FAITHFULNESS_IMAGES" \
  --device "$DEVICE" --out "$RUN/cam"

train_images="$MAX_TRAIN_IMAGES training images"
((MAX_TRAIN_IMAGES > 0)) || train_images="the whole train split"
note="Demo settings: $EPOCHS epochs (attention from epoch $((WARMUP_EPOCHS + 1))) on $train_images, \
batch $BATCH, seed $SEED, chosen to finish in about 15 minutes on 2 CPU cores. The seed's full schedule \
is 15 epochs on the whole train split: EPOCHS=15 MAX_TRAIN_IMAGES=0 make demo."
step "write the report" "$braincam" report --run "$RUN" --cache "$CACHE" --eval "$RUN/eval.json" \
  --cam "$RUN/cam" --note "$note"

printf '\nmake demo: done in %ds.\n' $((SECONDS - demo_start))
printf 'Report: %s\n' "$(realpath "$RUN/report.html")"
printf 'Full schedule: %s train --cache %s --out runs/full --epochs 15 --seed %s\n' "$braincam" "$CACHE" "$SEED"
printf 'Attention ablation: %s evaluate --compare --cache %s --out runs/compare --epochs 15, then\n' "$braincam" "$CACHE"
printf '  %s report --run %s --cache %s --compare runs/compare/compare.json\n' "$braincam" "$RUN" "$CACHE"
