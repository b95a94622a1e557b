#pragma once
// The K-class figures of `braincam evaluate` (K >= 2): top-1 accuracy, macro F1 and macro ROC AUC
// with their intervals, precision, recall, F1 and one-vs-rest ROC AUC by class, and the K x K
// confusion matrix, as a printed table and as the keys they add to the JSON.
#include <nlohmann/json.hpp>
#include <optional>

#include "model/bootstrap.h"
#include "model/checkpoint_classes.h"
#include "model/class_metrics.h"

namespace braincam::tools {

struct ClassEvaluation {
  ClassNames classes;
  ClassMetrics metrics;
  std::optional<ClassIntervals> intervals;  // where the bootstrap is on
};

void print_class_metrics(const ClassEvaluation& e);

// Sets `accuracy` (and its ci95) to the top-1 accuracy, and adds `classes`, `per_class`
// ({name: {precision, recall, f1, roc_auc}}), `macro_f1`, `macro_roc_auc`, `confusion_matrix`
// (K x K, rows true, columns predicted) and their ci95 to `j`, the JSON of the tumor / no-tumor
// figures.
void add_class_json(nlohmann::json& j, const ClassEvaluation& e);

}  // namespace braincam::tools
