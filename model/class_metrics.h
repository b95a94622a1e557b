#pragma once
// Metrics of a K-class model (K >= 2) on images of known classes: top-1 accuracy, per-class
// precision, recall and F1, macro F1, the K x K confusion matrix, one-vs-rest and macro ROC AUC.
#include <cstdint>
#include <vector>

namespace braincam {

// Each image's probabilities of the K classes (softmax of its logits), one row per image.
using ClassProbabilities = std::vector<std::vector<double>>;

// The first class of highest probability (as torch.argmax; NaN counts as highest).
int top_class(const std::vector<double>& probabilities);

struct ClassMetrics {
  std::int64_t count = 0;
  double accuracy = 0;   // top-1
  double mean_loss = 0;  // mean cross-entropy, -log of the true class's probability
  // confusion[t][p]: images of true class t whose top class is p.
  std::vector<std::vector<std::int64_t>> confusion;
  std::vector<double> precision, recall, f1;  // by class; ratios with a zero denominator are 0
  std::vector<double> roc_auc;                // by class, one-vs-rest; NaN where a side is empty
  double macro_f1 = 0;
  double macro_roc_auc = 0;  // the mean of the classes' one-vs-rest AUC (NaN if one is NaN)
};

// labels: class indices in [0, K), K the rows' length. Throws std::invalid_argument for rows of
// another length, a label out of range, or a value that is no probability (NaN included).
ClassMetrics class_metrics(const ClassProbabilities& probabilities, const std::vector<int>& labels);

// The probability that an image holds a tumor, 1 - P(no-tumor class), and its binary label (1:
// its class is not `no_tumor`): the binary model's figures derived from a K-class model's.
std::vector<double> tumor_probabilities(const ClassProbabilities& probabilities, int no_tumor);
std::vector<int> tumor_labels(const std::vector<int>& labels, int no_tumor);

}  // namespace braincam
