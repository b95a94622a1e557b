#include "tools/threshold_option.h"

#include <cmath>
#include <cstdlib>
#include <optional>

#include "model/checkpoint_threshold.h"

namespace braincam::tools {

namespace {

// A number from 0 to 1 (NaN refused), or nothing.
std::optional<double> probability(const std::string& text) {
  char* stop = nullptr;
  const double v = std::strtod(text.c_str(), &stop);
  if (text.empty() || *stop != '\0' || !(v >= 0 && v <= 1)) return std::nullopt;
  return v;
}

}  // namespace

void add_threshold_option(CLI::App& cmd, std::string& value) {
  value = kThresholdFromCheckpoint;
  cmd.add_option("--threshold", value,
                 "label tumor when P(tumor) is above this: `checkpoint` (the one braincam train "
                 "picked on validation; 0.5 for a checkpoint without one) or a number from 0 to 1")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](const std::string& text) {
            return text == kThresholdFromCheckpoint || probability(text)
                       ? std::string()
                       : "must be `checkpoint` or a number from 0 to 1, got " + text;
          },
          "checkpoint|0..1", ""));
}

LabelThreshold label_threshold(const std::string& option, const CheckpointMetadata& metadata,
                               const std::filesystem::path& file) {
  if (option != kThresholdFromCheckpoint) return {*probability(option), "--threshold"};
  const std::optional<double> stored = stored_threshold(metadata, file);
  return stored ? LabelThreshold{*stored, "the checkpoint"} : LabelThreshold{};
}

}  // namespace braincam::tools
