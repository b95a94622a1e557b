#pragma once
// The input background a checkpoint was trained on (data/input_background.h): metadata
// `input_background`, written by `braincam train` from its cache and absent for `keep`, as in
// checkpoints made before the choice existed. Every command that feeds the model applies it to
// the images it reads, and refuses a cache prepared otherwise.
#include <filesystem>

#include "data/dataset_cache.h"
#include "data/input_background.h"
#include "model/checkpoint_metadata.h"

namespace braincam {

void record_background(CheckpointMetadata& metadata, data::Background background);

// Throws naming `file` and the key for a value that is not a background's name.
data::Background trained_background(const CheckpointMetadata& metadata,
                                    const std::filesystem::path& file);

// Throws naming the checkpoint and the cache when the cache's inputs keep another background
// than the one the checkpoint was trained on.
void require_cache_background(const CheckpointMetadata& metadata,
                              const std::filesystem::path& checkpoint,
                              const data::DatasetCache& cache,
                              const std::filesystem::path& cache_dir);

}  // namespace braincam
