#pragma once
// The decision threshold a checkpoint carries (model/decision_threshold.h): `braincam train` picks
// it at the end of the run with the best checkpoint's probabilities on the validation split and
// writes it into RUN/best.safetensors' metadata:
//   threshold       the probability above which an image is labelled "tumor" (%.17g: exact)
//   threshold_rule  validation | fixed, as `braincam train --threshold` chose
//   threshold_why   how it was set, in words
// A checkpoint written before thresholds were stored has none: 0.5, the seed's rule.
#include <filesystem>
#include <optional>
#include <vector>

#include "model/checkpoint_metadata.h"
#include "model/decision_threshold.h"
#include "model/image_set.h"

namespace braincam {

// The checkpoint's threshold, or nothing for a checkpoint that stores none. Throws naming `file`
// and the key for a value that is not a number in [0, 1].
std::optional<double> stored_threshold(const CheckpointMetadata& metadata,
                                       const std::filesystem::path& file);

struct ThresholdSource {
  ThresholdRule rule = ThresholdRule::validation;
  int batch = 32;  // of the validation passes
};

// Sets the threshold of checkpoint `best` by `source.rule`, with its weights' probabilities on
// `validation` (held on the device the model runs on) against `labels`, and rewrites the file
// with it (atomically: a killed process leaves the old file or the new one). Returns the pick.
ThresholdPick store_decision_threshold(const std::filesystem::path& best,
                                       const ImageSet& validation, const std::vector<int>& labels,
                                       const ThresholdSource& source);

}  // namespace braincam
