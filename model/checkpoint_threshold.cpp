#include "model/checkpoint_threshold.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "engine/safetensors.h"
#include "model/brain_detection_model.h"
#include "model/checkpoint.h"
#include "model/predict.h"

namespace braincam {

namespace {

// %.17g gives the double back bit for bit and stays readable, unlike the hexadecimal floats of
// the run's state.
std::string exact_decimal(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.17g", v);
  return b;
}

}  // namespace

std::optional<double> stored_threshold(const CheckpointMetadata& metadata,
                                       const std::filesystem::path& file) {
  const auto it = metadata.find("threshold");
  if (it == metadata.end()) return std::nullopt;
  const std::string& text = it->second;
  char* stop = nullptr;
  const double v = std::strtod(text.c_str(), &stop);
  if (text.empty() || *stop != '\0' || !(v >= 0 && v <= 1))
    throw std::runtime_error(
        file.string() + ": metadata 'threshold' must be a number from 0 to 1, got '" + text + "'");
  return v;
}

ThresholdPick store_decision_threshold(const std::filesystem::path& best,
                                       const ImageSet& validation, const std::vector<int>& labels,
                                       const ThresholdSource& source) {
  Safetensors checkpoint = read_safetensors(best.string());
  ThresholdPick pick{kDefaultThreshold, 0, "the seed's 0.5, as asked (--threshold fixed)"};
  if (source.rule == ThresholdRule::validation) {
    BrainDetectionModel model({}, DType::F32, validation.device());
    model.load_state_dict(checkpoint.tensors, best.string());
    const bool attention = trained_with_attention(checkpoint.metadata);
    pick = pick_decision_threshold(
        predict_probabilities(model, validation, attention, source.batch), labels);
  }
  checkpoint.metadata["threshold"] = exact_decimal(pick.threshold);
  checkpoint.metadata["threshold_rule"] =
      source.rule == ThresholdRule::validation ? "validation" : "fixed";
  checkpoint.metadata["threshold_why"] = pick.why;
  write_safetensors(best.string(), checkpoint.tensors, checkpoint.metadata);
  return pick;
}

}  // namespace braincam
