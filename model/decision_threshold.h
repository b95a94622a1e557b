#pragma once
// The decision threshold of the classifier: an image is labelled "tumor" when its probability is
// above it. `braincam train` picks one on the validation split and stores it in best.safetensors
// (model/checkpoint_threshold.h); `evaluate` and `predict` label with it. The spec's rule, and
// `braincam step`'s, stays the logit above 0 (probability above 0.5).
//
// The criterion is Youden's J = sensitivity + specificity - 1: it weighs a missed tumor and a
// false alarm by the share of their class, so the threshold does not drift toward the larger
// class as accuracy would, and J is the height of the ROC point above the chance diagonal.
#include <string>
#include <vector>

namespace braincam {

// The seed's threshold (the logit above 0), and the one of a checkpoint that stores none.
inline constexpr double kDefaultThreshold = 0.5;

// How `braincam train` sets the threshold of best.safetensors.
enum class ThresholdRule {
  validation,  // the highest Youden's J on the validation split (pick_decision_threshold)
  fixed,       // kDefaultThreshold, the seed's rule
};

struct ThresholdPick {
  double threshold = kDefaultThreshold;
  double youden_j = 0;  // on the images it was picked on; 0 where it is undefined
  std::string why;      // how it was set, in words (printed, and stored beside the threshold)
};

// The probability threshold t with the highest Youden's J of the rule "tumor when p > t" on
// `probabilities` against `labels` (1 = tumor). The candidates are the midpoints between
// consecutive distinct probabilities, which split the images as every threshold between the two
// does but stay as far as possible from both, and 0.5 itself. Ties go to the candidate nearest
// 0.5 (so 0.5 is kept whenever it is among the best), and at equal distance to the lower, more
// sensitive one. With one class only (or no image) J is undefined: 0.5, saying why.
// Throws std::invalid_argument for sizes that differ or a value outside [0, 1] (NaN included).
ThresholdPick pick_decision_threshold(const std::vector<double>& probabilities,
                                      const std::vector<int>& labels);

}  // namespace braincam
