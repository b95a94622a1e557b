#pragma once
// The spec's training schedule over a prepared dataset cache:
//   attention off for the warm-up epochs, on after; Adam; batches of 32 reshuffled each epoch
//   from (seed, epoch), the last partial batch kept; validation after every epoch in evaluation
//   mode; RUN/best.safetensors keeps the highest validation accuracy (ties: lower validation
//   loss); RUN/last.safetensors holds the newest state with the optimizer; RUN/metrics.csv one row
//   per epoch.
//
// On the CPU the same seed gives the same checkpoints bit for bit, and a run resumed from its
// last checkpoint, even one saved mid-epoch by Ctrl-C, ends identical to one that never stopped:
// every random choice is drawn from (seed, epoch, ...), never from a generator's running state.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "data/dataset_cache.h"
#include "model/brain_detection_model.h"
#include "model/image_set.h"
#include "model/metrics_csv.h"

namespace braincam {

struct TrainOptions {
  std::filesystem::path cache, out;
  int epochs = 15, batch = 32, warmup_epochs = 2;
  double lr = 1e-3;
  bool attention = true;  // false: attention off in every epoch (the plain baseline)
  bool augment = false;   // on-the-fly augmentation of training batches
  std::uint64_t seed = 0;
  Device device = Device::CPU;
  // On the emulator and the GPU: replay each training step from a recorded device graph
  // (model/training_step_runner.h); false: queue every kernel from the host. The same results
  // either way.
  bool graphs = true;
  std::filesystem::path resume;  // a RUN folder to continue from (empty: start afresh)
  int max_train_images = 0;      // > 0: use only the first this many of the shuffled train split
};

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
};

// Whether epoch `epoch` (1-based) trains with attention.
bool attention_in_epoch(const TrainOptions& options, int epoch);

// What `braincam train` hears from the trainer, and how it asks it to stop.
struct TrainCallbacks {
  std::function<void(const TrainProgress&)> on_batch;
  std::function<void(const EpochRecord&, bool best)> on_epoch;
  // Polled after every batch; when it returns true the state is saved to RUN/last.safetensors
  // (resumable mid-epoch) and train returns with interrupted set.
  std::function<bool()> stop_requested;
};

// Runs the schedule. A NaN or infinite loss throws, naming the epoch and batch, and leaves the
// checkpoints of the last good epoch in place.
TrainResult train(const TrainOptions& options, const TrainCallbacks& callbacks = {});

// Loads RUN/best.safetensors or another checkpoint into a model for evaluation; returns the
// checkpoint's metadata (epoch, attention on|off, val_accuracy, ...).
std::map<std::string, std::string> load_checkpoint(const std::filesystem::path& file,
                                                   BrainDetectionModel& model);

}  // namespace braincam
