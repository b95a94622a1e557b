#include "tools/class_evaluation.h"

#include <cmath>
#include <cstdio>
#include <string>

namespace braincam::tools {

namespace {

std::string number(double v) {
  char b[32];
  std::snprintf(b, sizeof b, std::isnan(v) ? "n/a" : "%.4f", v);
  return b;
}

// "0.9712 [0.9601, 0.9803]", or the value alone without intervals.
std::string with_interval(double v, const std::optional<ClassIntervals>& intervals, std::size_t k) {
  if (!intervals) return number(v);
  return number(v) + " [" + number((*intervals)[k].low) + ", " + number((*intervals)[k].high) + "]";
}

nlohmann::json number_or_null(double v) {
  return std::isnan(v) ? nlohmann::json() : nlohmann::json(v);
}

}  // namespace

void print_class_metrics(const ClassEvaluation& e) {
  const ClassMetrics& m = e.metrics;
  const std::vector<std::string>& names = e.classes.names;
  std::printf("%-22s%lld\n", "images", static_cast<long long>(m.count));
  const double values[] = {m.accuracy, m.macro_f1, m.macro_roc_auc};
  const char* labels[] = {"top-1 accuracy", "macro F1", "macro ROC AUC"};
  for (std::size_t k = 0; k < std::size(labels); ++k)
    std::printf("%-22s%s\n", labels[k], with_interval(values[k], e.intervals, k).c_str());
  std::printf("\n%-22s%12s%12s%12s%12s\n", "class", "precision", "recall", "F1", "ROC AUC");
  for (std::size_t k = 0; k < names.size(); ++k)
    std::printf("%-22s%12s%12s%12s%12s\n", names[k].c_str(), number(m.precision[k]).c_str(),
                number(m.recall[k]).c_str(), number(m.f1[k]).c_str(), number(m.roc_auc[k]).c_str());
  std::printf("\nconfusion (rows true, columns predicted)\n%-22s", "");
  for (const std::string& name : names) std::printf("%12s", name.c_str());
  for (std::size_t t = 0; t < names.size(); ++t) {
    std::printf("\n%-22s", names[t].c_str());
    for (std::int64_t count : m.confusion[t]) std::printf("%12lld", static_cast<long long>(count));
  }
  std::printf("\n\n");
}

void add_class_json(nlohmann::json& j, const ClassEvaluation& e) {
  const ClassMetrics& m = e.metrics;
  j["accuracy"] = m.accuracy;
  j["classes"] = e.classes.names;
  nlohmann::json per_class = nlohmann::json::object();
  for (std::size_t k = 0; k < e.classes.names.size(); ++k)
    per_class[e.classes.names[k]] = {{"precision", m.precision[k]},
                                     {"recall", m.recall[k]},
                                     {"f1", m.f1[k]},
                                     {"roc_auc", number_or_null(m.roc_auc[k])}};
  j["per_class"] = per_class;
  j["macro_f1"] = m.macro_f1;
  j["macro_roc_auc"] = number_or_null(m.macro_roc_auc);
  j["confusion_matrix"] = m.confusion;
  if (e.intervals) j["ci95"].update(to_json(*e.intervals));
}

}  // namespace braincam::tools
