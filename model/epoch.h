#pragma once
// One epoch of training, as the trainer runs it and `braincam bench --mode schedule` times it:
// the images in the epoch's order (model/epoch_order.h), in batches, the last partial batch
// kept; each step's loss and logits are read once the next step is queued (Readback), so that the
// GPU need not wait for the host between steps.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>

#include "model/train_options.h"
#include "model/training_step_runner.h"

namespace braincam {

// An epoch's running tallies: what a checkpoint saved mid-epoch keeps.
struct EpochTally {
  std::size_t batches_done = 0;  // batches settled
  double loss_sum = 0;           // sum of batch loss * batch size
  std::int64_t correct = 0, seen = 0;
};

struct EpochSettings {
  int epoch = 1;  // picks the order and, for augmented images, the transforms
  bool attention = true;
  std::size_t batch = 32;
  std::uint64_t seed = 0;
  Balance balance = Balance::none;  // how the epoch's order is drawn
  int classes = 1;                  // K: the model's classes (1: the binary model)
};

// What run_epoch says after each batch it settles.
struct SettledBatch {
  std::size_t batch, batches;       // the batch (1-based), and how many the epoch has
  double loss;                      // its mean loss
  std::size_t images_done, images;  // the epoch's images through this batch, and in all
  std::size_t images_run;           // images settled by this call
};

struct EpochCallbacks {
  std::function<void(const SettledBatch&)> on_batch;
  // Polled after each batch is queued; when it returns true before the last batch, run_epoch
  // settles the batch in flight and returns.
  std::function<bool()> stop_requested;
};

// Thrown when a batch's loss is NaN or infinite (the weights are left as that step and one more
// made them).
struct NonFiniteLoss : std::runtime_error {
  NonFiniteLoss(double loss, int epoch, std::size_t batch);
};

struct EpochRun {
  bool finished = false;       // false: stopped before the last batch
  std::size_t images_run = 0;  // images settled by this call
};

// Runs the epoch from batch tally.batches_done on, adding each settled batch to `tally`.
// labels: one per image of `steps`, 0 or 1 for the binary model, class indices for K >= 2
// (settings.classes). Throws NonFiniteLoss.
EpochRun run_epoch(TrainingStepRunner& steps, std::span<const float> labels,
                   const EpochSettings& settings, EpochTally& tally,
                   const EpochCallbacks& callbacks = {});

}  // namespace braincam
