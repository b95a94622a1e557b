#pragma once
// The folds of `braincam train --fold K/N` and `braincam crossval --folds N`: grouped, stratified
// k-fold over the cache's train and val splits (data/kfold.h).
#include <CLI/CLI.hpp>
#include <string>

#include "data/dataset_cache.h"
#include "model/train_options.h"

namespace braincam::tools {

// "K/N": fold K of N. Throws CLI::ValidationError naming --fold unless N >= 2 and 1 <= K <= N.
FoldChoice parse_fold(const std::string& text);

// Throws CLI::ValidationError naming `flag` when the cache's train and val splits cannot be cut
// into `folds` folds (fewer than 2, or more than the smallest class has source groups).
void require_folds(const std::string& flag, const data::DatasetCache& cache, int folds);

}  // namespace braincam::tools
