#pragma once
// The metadata of a training run's checkpoints (model/checkpoint.h) and what a resumed run reads
// back from them: every value is checked, so that a damaged or edited checkpoint stops with an
// error naming the file and the key rather than crash or train with nonsense settings.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "model/epoch.h"
#include "model/lr_schedule.h"
#include "model/train_options.h"

namespace braincam {

using CheckpointMetadata = std::map<std::string, std::string>;

// Where a run stands.
struct RunState {
  int epochs_done = 0;                       // complete epochs
  EpochTally epoch;                          // of the epoch in progress
  double best_accuracy = -1, best_loss = 0;  // the best epoch's validation results
  int best_epoch = 0;
  PlateauState plateau;  // of the plateau learning-rate schedule

  // Completes epoch `epoch`, whose tallies start afresh. It becomes the best when its validation
  // accuracy is higher than the best's, or equal with a lower loss; returns whether it did.
  bool end_epoch(int epoch, double val_accuracy, double val_loss);
};

// The metadata of a checkpoint of a run with `options` on the dataset cache of
// `cache_fingerprint`, at `state`, training with `attention`.
CheckpointMetadata checkpoint_metadata(const TrainOptions& options, std::uint64_t cache_fingerprint,
                                       const RunState& state, bool attention);
// The state that checkpoint_metadata wrote. Throws naming `file` for a missing field.
RunState run_state(const CheckpointMetadata& metadata, const std::filesystem::path& file);

// What a resumed run takes from the metadata of its RUN/last.safetensors.
struct ResumedSettings {
  // The run's own settings, with the device as given, the number of epochs when given (> 0),
  // the cache when given, and the run folder (given.resume) as `out`.
  TrainOptions options;
  RunState state;
  std::uint64_t cache_fingerprint = 0;  // of the cache the run was trained on
};
// Reads them from `metadata` of `file`, a checkpoint that save_last_checkpoint wrote. Throws a
// std::runtime_error naming `file` and the key for a missing key, a setting out of range, a
// count that does not parse or a NaN or infinite number.
ResumedSettings resumed_settings(const CheckpointMetadata& metadata, const TrainOptions& given,
                                 const std::filesystem::path& file);

}  // namespace braincam
