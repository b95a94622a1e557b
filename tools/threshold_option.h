#pragma once
// --threshold of evaluate and predict: the decision threshold they label with, "checkpoint" (the
// one `braincam train` stored in it, model/checkpoint_threshold.h) or a number from 0 to 1.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <string>

#include "model/checkpoint_metadata.h"
#include "model/decision_threshold.h"

namespace braincam::tools {

// --threshold's default: the checkpoint's own.
inline constexpr const char* kThresholdFromCheckpoint = "checkpoint";

void add_threshold_option(CLI::App& cmd, std::string& value);

// The threshold a command labels with.
struct LabelThreshold {
  double value = kDefaultThreshold;
  // Where it comes from: "--threshold" or "the checkpoint". Null for neither: 0.5, not shown, so
  // that a checkpoint written before thresholds were stored prints what it printed then.
  const char* source = nullptr;
  bool shown() const { return source != nullptr; }
};

// --threshold's value `option` for the checkpoint `file` of `metadata`.
LabelThreshold label_threshold(const std::string& option, const CheckpointMetadata& metadata,
                               const std::filesystem::path& file);

}  // namespace braincam::tools
