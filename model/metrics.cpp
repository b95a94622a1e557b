#include "model/metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace braincam {

namespace {
double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }
}  // namespace

ClassificationMetrics classification_metrics(const std::vector<double>& probabilities,
                                             const std::vector<int>& labels, double threshold) {
  if (probabilities.size() != labels.size())
    throw std::invalid_argument("classification_metrics: probabilities and labels differ in count");
  if (!(threshold >= 0 && threshold <= 1))
    throw std::invalid_argument("classification_metrics: the threshold " +
                                std::to_string(threshold) + " is not a probability");
  // NaN would also stall the ROC sweep below (NaN == NaN is false) and break the sort's ordering.
  for (std::size_t i = 0; i < probabilities.size(); ++i)
    if (!(probabilities[i] >= 0 && probabilities[i] <= 1))
      throw std::invalid_argument("classification_metrics: the output for image " +
                                  std::to_string(i) + " is " + std::to_string(probabilities[i]) +
                                  ", not a probability (non-finite model output?)");
  ClassificationMetrics m;
  m.count = static_cast<std::int64_t>(labels.size());
  double loss = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const double p = probabilities[i];
    const bool predicted = p > threshold, actual = labels[i] == 1;
    Confusion& c = m.confusion;
    (predicted ? (actual ? c.tp : c.fp) : (actual ? c.fn : c.tn))++;
    (predicted == actual ? (actual ? m.correct_yes : m.correct_no)
                         : (actual ? m.wrong_yes : m.wrong_no))++;
    const double clamped = std::clamp(p, 1e-12, 1 - 1e-12);
    loss -= actual ? std::log(clamped) : std::log(1 - clamped);
  }
  const Confusion& c = m.confusion;
  m.mean_loss = ratio(loss, static_cast<double>(m.count));
  m.accuracy = ratio(c.tp + c.tn, static_cast<double>(m.count));
  m.precision = ratio(c.tp, c.tp + c.fp);
  m.recall = ratio(c.tp, c.tp + c.fn);
  m.specificity = ratio(c.tn, c.tn + c.fp);
  m.f1 = ratio(2 * m.precision * m.recall, m.precision + m.recall);

  // ROC: sweep the threshold down through the distinct probabilities; AUC by trapezoids, which
  // counts tied positive/negative pairs as one half (the Mann-Whitney statistic).
  const double positives = c.tp + c.fn, negatives = c.tn + c.fp;
  std::vector<std::size_t> order(labels.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return probabilities[a] > probabilities[b]; });
  m.roc.push_back({0, 0});
  double tp = 0, fp = 0, auc = 0;
  for (std::size_t k = 0; k < order.size();) {
    const double level = probabilities[order[k]];
    for (; k < order.size() && probabilities[order[k]] == level; ++k)
      (labels[order[k]] == 1 ? tp : fp) += 1;
    const auto [fpr0, tpr0] = m.roc.back();
    const double fpr = ratio(fp, negatives), tpr = ratio(tp, positives);
    auc += (fpr - fpr0) * (tpr + tpr0) / 2;
    m.roc.push_back({fpr, tpr});
  }
  m.roc_auc = positives > 0 && negatives > 0 ? auc : std::numeric_limits<double>::quiet_NaN();
  return m;
}

nlohmann::json to_json(const ClassificationMetrics& m) {
  nlohmann::json roc = nlohmann::json::array();
  for (const auto& [fpr, tpr] : m.roc) roc.push_back({fpr, tpr});
  return {{"count", m.count},
          {"accuracy", m.accuracy},
          {"precision", m.precision},
          {"recall", m.recall},
          {"specificity", m.specificity},
          {"f1", m.f1},
          {"roc_auc", std::isnan(m.roc_auc) ? nlohmann::json(nullptr) : nlohmann::json(m.roc_auc)},
          {"mean_loss", m.mean_loss},
          {"confusion",
           {{"tp", m.confusion.tp},
            {"fp", m.confusion.fp},
            {"tn", m.confusion.tn},
            {"fn", m.confusion.fn}}},
          {"error_analysis",
           {{"correct", {{"yes", m.correct_yes}, {"no", m.correct_no}}},
            {"wrong", {{"yes", m.wrong_yes}, {"no", m.wrong_no}}}}},
          {"roc", roc}};
}

}  // namespace braincam
