#!/usr/bin/env bash
# `make demo`: the whole job end to end on a synthetic MRI set: generate it, prepare the cache,
# train, evaluate on the test split, explain with every CAM method, and write one HTML report.
#
# The defaults are braincam's default training recipe, the seed's schedule (docs/training.md), on
# the whole train split, plus the same recipe without attention for the ablation, a shortcut
# audit of the model, and the sanity checks of its explanations against a model of the same
# recipe trained on shuffled labels. Override any knob from the environment, e.g.
#   EPOCHS=4 MAX_TRAIN_IMAGES=400 ABLATION=0 SANITY=0 make demo     # a quick look
#   RECIPE=augmented make demo                             # weight decay and augmentation
set -euo pipefail

build=${1:-build}
braincam="$build/braincam"

# ---- knobs ----------------------------------------------------------------------------------
DATA=${DATA:-datasets/synth}              # generated when absent
CACHE=${CACHE:-datasets/synth-cache}
RUN=${RUN:-runs/demo}
SYNTH_COUNT=${SYNTH_COUNT:-2065}          # images generated (the seed's dataset size)
RECIPE=${RECIPE:-seed}                    # the training recipe (docs/training.md)
EPOCHS=${EPOCHS:-}                        # empty: the recipe's (as the two below)
WARMUP_EPOCHS=${WARMUP_EPOCHS:-}          # attention off in the first epochs, as the seed
BATCH=${BATCH:-}
MAX_TRAIN_IMAGES=${MAX_TRAIN_IMAGES:-0}   # 0: the whole train split
SEED=${SEED:-0}
DEVICE=${DEVICE:-auto}
CAM_COUNT=${CAM_COUNT:-4}                 # panels per group and method
FAITHFULNESS_IMAGES=${FAITHFULNESS_IMAGES:-64}
ABLATION=${ABLATION:-1}                   # 1: also train without attention and compare
SANITY=${SANITY:-1}                       # 1: also train on shuffled labels, run the sanity checks
SANITY_IMAGES=${SANITY_IMAGES:-64}        # tumor images of the sanity checks

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

train_args=(--cache "$CACHE" --recipe "$RECIPE" --seed "$SEED" --device "$DEVICE")
[[ -n "$EPOCHS" ]] && train_args+=(--epochs "$EPOCHS")
[[ -n "$WARMUP_EPOCHS" ]] && train_args+=(--warmup-epochs "$WARMUP_EPOCHS")
[[ -n "$BATCH" ]] && train_args+=(--batch "$BATCH")
((MAX_TRAIN_IMAGES > 0)) && train_args+=(--max-train-images "$MAX_TRAIN_IMAGES")
rm -rf "$RUN"  # each demo starts a fresh run
step "train" "$braincam" train "${train_args[@]}" --out "$RUN"
step "evaluate on the test split" "$braincam" evaluate --checkpoint "$RUN/best.safetensors" --cache "$CACHE" \
  --split test --device "$DEVICE" --seed "$SEED" --json "$RUN/eval.json"
if ((ABLATION)); then
  # The seed's table 6.2: the same split and seed, without attention in any epoch.
  rm -rf "$RUN-plain"
  step "train the plain model (the attention ablation)" "$braincam" train "${train_args[@]}" --out "$RUN-plain" --no-attention
  step "compare with and without attention" "$braincam" evaluate --checkpoint "$RUN/best.safetensors" \
    --baseline "$RUN-plain/best.safetensors" --cache "$CACHE" --split test --device "$DEVICE" --seed "$SEED" --json "$RUN/compare.json"
fi
step "audit the model for shortcuts" "$braincam" audit --checkpoint "$RUN/best.safetensors" \
  --cache "$CACHE" --split test --device "$DEVICE" --out "$RUN"
if ((SANITY)); then
  # Adebayo et al.'s data randomization test needs a model that learned no tumor: the same recipe
  # on permuted training labels; its last checkpoint is the one that fit them.
  rm -rf "$RUN-shuffled"
  step "train on shuffled labels (for the sanity checks)" "$braincam" train "${train_args[@]}" \
    --out "$RUN-shuffled" --shuffle-labels --no-charts
  step "sanity checks of the explanations" "$braincam" sanity --checkpoint "$RUN/best.safetensors" \
    --cache "$CACHE" --split test --images "$SANITY_IMAGES" \
    --shuffled-checkpoint "$RUN-shuffled/last.safetensors" --device "$DEVICE" --out "$RUN"
fi
step "explain (every CAM method)" "$braincam" cam --checkpoint "$RUN/best.safetensors" --cache "$CACHE" \
  --split test --method all --count "$CAM_COUNT" --faithfulness-images "$FAITHFULNESS_IMAGES" \
  --device "$DEVICE" --out "$RUN/cam"

train_images="$MAX_TRAIN_IMAGES training images"
((MAX_TRAIN_IMAGES > 0)) || train_images="the whole train split"
overrides="${EPOCHS:+, $EPOCHS epochs}${WARMUP_EPOCHS:+, $WARMUP_EPOCHS warm-up epochs}${BATCH:+, batch $BATCH}"
note="Demo settings: the $RECIPE training recipe$overrides on $train_images, seed $SEED, on the \
default synthetic dataset; the plain model of the ablation has the same recipe without attention, \
and the shuffled-label model of the sanity checks the same recipe on permuted training labels."
step "write the report" "$braincam" report --run "$RUN" --cache "$CACHE" --eval "$RUN/eval.json" \
  --cam "$RUN/cam" --note "$note"

printf '\nmake demo: done in %ds.\n' $((SECONDS - demo_start))
printf 'Report: %s\n' "$(realpath "$RUN/report.html")"
printf 'Other seeds: SEED=1 make demo; a GPU: DEVICE=cuda make demo\n'
