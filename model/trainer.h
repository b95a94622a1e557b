#pragma once
// The spec's training schedule over a prepared dataset cache:
//   attention off for the warm-up epochs, on after; Adam; batches of 32 reshuffled each epoch
//   from (seed, epoch), the last partial batch kept; validation after every epoch in evaluation
//   mode; RUN/best.safetensors keeps the highest validation accuracy (ties: lower validation
//   loss); RUN/last.safetensors holds the newest state with the optimizer; RUN/metrics.csv one row
//   per epoch. Options: a learning-rate schedule (model/lr_schedule.h), early stopping on the
//   validation accuracy that picks the best epoch, class-balanced batches (model/epoch_order.h).
//
// On the CPU the same seed gives the same checkpoints bit for bit, and a run resumed from its
// last checkpoint, even one saved mid-epoch by Ctrl-C, ends identical to one that never stopped:
// every random choice is drawn from (seed, epoch, ...), never from a generator's running state.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/checkpoint_classes.h"
#include "model/decision_threshold.h"
#include "model/metrics_csv.h"
#include "model/train_options.h"

namespace braincam {

// What the trainer tells its caller after every batch (the progress bar of `braincam train`).
struct TrainProgress {
  int epoch, epochs;
  std::size_t batch, batches;
  double loss, images_per_s, seconds_left;
};

struct TrainResult {
  std::vector<EpochRecord> epochs;
  int best_epoch = 0;
  bool interrupted = false;  // stopped by request (Ctrl-C) after saving RUN/last.safetensors
  // The decision threshold stored in RUN/best.safetensors when the run ended (not interrupted).
  std::optional<ThresholdPick> threshold;
  // Why early stopping ended the run (also when a resumed run had already stopped); else empty.
  std::string stopped_early;
  int epochs_trained = 0;  // epochs completed by this call
  ClassNames classes;      // the classes of a K-class run (--classes all); empty for the binary
};

// What `braincam train` hears from the trainer, and how it asks it to stop.
struct TrainCallbacks {
  // Once the run's settings are known (a resumed run's are its checkpoint's), before training.
  std::function<void(const TrainOptions&)> on_start;
  std::function<void(const TrainProgress&)> on_batch;
  std::function<void(const EpochRecord&, bool best)> on_epoch;
  // Polled after every batch; when it returns true the state is saved to RUN/last.safetensors
  // (resumable mid-epoch) and train returns with interrupted set.
  std::function<bool()> stop_requested;
};

// Runs the schedule. A NaN or infinite loss throws, naming the epoch and batch, and leaves the
// checkpoints of the last good epoch in place. The run folder is locked for the whole run
// (RUN/.lock: a second run into it throws); a fresh run refuses a folder that holds files unless
// options.overwrite. A run killed at any instant leaves a folder that --resume continues.
TrainResult train(const TrainOptions& options, const TrainCallbacks& callbacks = {});

}  // namespace braincam
