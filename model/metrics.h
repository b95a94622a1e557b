#pragma once
// Binary classification metrics of predicted probabilities against labels (1 = tumor).
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

namespace braincam {

struct Confusion {
  std::int64_t tp = 0, fp = 0, tn = 0, fn = 0;
};

struct ClassificationMetrics {
  std::int64_t count = 0;
  Confusion confusion;
  double accuracy = 0, precision = 0, recall = 0, specificity = 0, f1 = 0;
  double roc_auc = 0;    // NaN when only one class is present
  double mean_loss = 0;  // mean BCE of the probabilities
  // The seed's error analysis: how the correctly and the wrongly classified split by true class.
  std::int64_t correct_yes = 0, correct_no = 0, wrong_yes = 0, wrong_no = 0;
  // The ROC curve (false-positive rate, true-positive rate), from (0,0) to (1,1).
  std::vector<std::pair<double, double>> roc;
};

// Predicted label is probability > threshold (by default 0.5: the logit > 0); the ROC curve, its
// AUC and the mean loss do not depend on it. Ratios with a zero denominator are 0. Throws
// std::invalid_argument naming the image for a value outside [0, 1] (NaN included), and for a
// threshold outside [0, 1].
ClassificationMetrics classification_metrics(const std::vector<double>& probabilities,
                                             const std::vector<int>& labels,
                                             double threshold = 0.5);

// {accuracy, precision, recall, specificity, f1, roc_auc, mean_loss, count,
//  confusion: {tp, fp, tn, fn}, error_analysis: {correct: {yes, no}, wrong: {yes, no}}, roc: [[fpr,
//  tpr], ...]}
nlohmann::json to_json(const ClassificationMetrics& m);

}  // namespace braincam
