#include "model/class_metrics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "model/metrics.h"

namespace braincam {

namespace {

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }

void check_inputs(const ClassProbabilities& probabilities, const std::vector<int>& labels, int K) {
  if (probabilities.size() != labels.size())
    throw std::invalid_argument("class_metrics: probabilities and labels differ in count");
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (static_cast<int>(probabilities[i].size()) != K)
      throw std::invalid_argument("class_metrics: image " + std::to_string(i) + " has " +
                                  std::to_string(probabilities[i].size()) + " classes, not " +
                                  std::to_string(K));
    if (labels[i] < 0 || labels[i] >= K)
      throw std::invalid_argument("class_metrics: the label of image " + std::to_string(i) +
                                  " is " + std::to_string(labels[i]) + ", not a class index");
    for (double p : probabilities[i])
      if (!(p >= 0 && p <= 1))
        throw std::invalid_argument("class_metrics: an output for image " + std::to_string(i) +
                                    " is " + std::to_string(p) + ", not a probability");
  }
}

// Precision, recall and F1 of each class from the confusion matrix.
void add_class_scores(ClassMetrics& m, int K) {
  for (int k = 0; k < K; ++k) {
    double predicted = 0, actual = 0;
    for (int j = 0; j < K; ++j) {
      predicted += static_cast<double>(m.confusion[j][k]);
      actual += static_cast<double>(m.confusion[k][j]);
    }
    const double hits = static_cast<double>(m.confusion[k][k]);
    m.precision.push_back(ratio(hits, predicted));
    m.recall.push_back(ratio(hits, actual));
    m.f1.push_back(ratio(2 * m.precision[k] * m.recall[k], m.precision[k] + m.recall[k]));
    m.macro_f1 += m.f1[k] / K;
  }
}

// One-vs-rest ROC AUC of each class: the binary metric of P(k) against "class k".
void add_roc_auc(ClassMetrics& m, const ClassProbabilities& probabilities,
                 const std::vector<int>& labels, int K) {
  for (int k = 0; k < K; ++k) {
    std::vector<double> p;
    std::vector<int> is_k;
    for (std::size_t i = 0; i < labels.size(); ++i) {
      p.push_back(probabilities[i][k]);
      is_k.push_back(labels[i] == k ? 1 : 0);
    }
    m.roc_auc.push_back(classification_metrics(p, is_k).roc_auc);
    m.macro_roc_auc += m.roc_auc[k] / K;
  }
}

}  // namespace

int top_class(const std::vector<double>& probabilities) {
  int best = 0;
  for (int k = 0; k < static_cast<int>(probabilities.size()); ++k) {
    if (std::isnan(probabilities[k])) return k;
    if (probabilities[k] > probabilities[best]) best = k;
  }
  return best;
}

ClassMetrics class_metrics(const ClassProbabilities& probabilities,
                           const std::vector<int>& labels) {
  const int K = probabilities.empty() ? 0 : static_cast<int>(probabilities[0].size());
  check_inputs(probabilities, labels, K);
  ClassMetrics m;
  m.count = static_cast<std::int64_t>(labels.size());
  m.confusion.assign(K, std::vector<std::int64_t>(K, 0));
  double loss = 0, correct = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const int predicted = top_class(probabilities[i]);
    ++m.confusion[labels[i]][predicted];
    correct += predicted == labels[i];
    loss -= std::log(std::clamp(probabilities[i][labels[i]], 1e-12, 1.0));
  }
  m.accuracy = ratio(correct, static_cast<double>(m.count));
  m.mean_loss = ratio(loss, static_cast<double>(m.count));
  add_class_scores(m, K);
  add_roc_auc(m, probabilities, labels, K);
  return m;
}

std::vector<double> tumor_probabilities(const ClassProbabilities& probabilities, int no_tumor) {
  std::vector<double> p;
  for (const auto& row : probabilities) p.push_back(std::clamp(1 - row[no_tumor], 0.0, 1.0));
  return p;
}

std::vector<int> tumor_labels(const std::vector<int>& labels, int no_tumor) {
  std::vector<int> binary;
  for (int label : labels) binary.push_back(label == no_tumor ? 0 : 1);
  return binary;
}

}  // namespace braincam
