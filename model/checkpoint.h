#pragma once
// A training run's checkpoints: safetensors of the model's parameters and buffers (and, in
// RUN/last.safetensors, Adam's state under optim.), with metadata that say where the run stands:
// `format` (braincam-checkpoint-1), `epoch`, `attention` (on|off: what evaluate, predict and cam
// use), `seed`, the run's settings (`options`), the dataset cache's fingerprint, the tallies of
// an epoch in flight and the best epoch so far; RUN/last.safetensors adds the run's number of
// epochs and its cache's path. Doubles are written as hexadecimal floats, so
// that a resumed run continues bit for bit.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "engine/adam.h"
#include "engine/safetensors.h"
#include "model/brain_detection_model.h"
#include "model/checkpoint_metadata.h"
#include "model/epoch.h"
#include "model/metrics_csv.h"
#include "model/train_options.h"

namespace braincam {

// Writes the model's parameters and buffers, with Adam's state when `optimizer` is given.
void save_checkpoint(const std::filesystem::path& file, const BrainDetectionModel& model,
                     const Adam* optimizer, CheckpointMetadata metadata);

// Writes RUN/last.safetensors: the checkpoint with Adam's state and what a resumed run takes
// besides, the run's number of epochs (`epochs`) and its dataset cache's path (`cache`).
void save_last_checkpoint(const std::filesystem::path& file, const TrainOptions& options,
                          const BrainDetectionModel& model, const Adam& optimizer,
                          CheckpointMetadata metadata);

// Loads RUN/best.safetensors or another checkpoint into a model for evaluation; returns the
// checkpoint's metadata (epoch, attention on|off, val_accuracy, ...). Throws naming the file and
// the tensor when a tensor holds NaN or infinite values, and naming the file and both numbers of
// classes when the checkpoint's K is not the model's.
CheckpointMetadata load_checkpoint(const std::filesystem::path& file, BrainDetectionModel& model);

// The shape of the model a checkpoint holds: the spec's, with K from its fc.weight
// (model/checkpoint_classes.h). Throws naming the file as load_checkpoint does.
ModelShape checkpoint_shape(const std::filesystem::path& file);

// Whether the checkpoint's model runs with attention: metadata `attention` is `on` (off when the
// key is absent).
bool trained_with_attention(const CheckpointMetadata& metadata);

// Whether the checkpoint's run trained on shuffled labels (`braincam train --shuffle-labels`:
// `shuffle_labels` true in its options); false when the options are absent or do not parse.
bool trained_on_shuffled_labels(const CheckpointMetadata& metadata);

// A run continued from RUN/last.safetensors (TrainOptions::resume).
struct ResumedRun {
  // The run's own settings (epochs, batch, learning rate, warm-up, seed, subset, fold,
  // augmentation, dataset cache), with the device as given, the number of epochs when given (> 0)
  // and the cache when given, and the run folder as `out`.
  TrainOptions options;
  RunState state;
  std::vector<EpochRecord> epochs;  // the rows of RUN/metrics.csv up to the checkpoint
  Safetensors checkpoint;
  std::uint64_t cache_fingerprint = 0;  // of the cache the run was trained on

  // Throws when `fingerprint`, of options.cache, is not the run's cache's.
  void require_cache(std::uint64_t fingerprint) const;
  // Loads the checkpoint's parameters, buffers and Adam's state.
  void restore(BrainDetectionModel& model, Adam& optimizer) const;
};
// Reads RUN/last.safetensors and RUN/metrics.csv (TrainOptions::resume). Throws naming the file
// and the key or tensor when the checkpoint is not a training checkpoint, holds a setting out of
// range, a count that does not parse or a NaN or infinite value, or when metrics.csv lacks rows
// of the epochs the checkpoint has trained (rows past them are dropped: the trainer writes
// metrics.csv first).
ResumedRun resume_run(const TrainOptions& given);

}  // namespace braincam
