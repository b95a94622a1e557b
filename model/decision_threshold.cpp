#include "model/decision_threshold.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

namespace braincam {

namespace {

// The probabilities of one class, sorted, for counting those above a threshold.
struct SortedClass {
  std::vector<double> p;
  std::int64_t above(double t) const {
    return static_cast<std::int64_t>(p.end() - std::upper_bound(p.begin(), p.end(), t));
  }
  std::int64_t size() const { return static_cast<std::int64_t>(p.size()); }
};

// The candidates: 0.5 and the midpoints between consecutive distinct probabilities.
std::vector<double> candidates(std::vector<double> all) {
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  std::vector<double> t{kDefaultThreshold};
  for (std::size_t i = 0; i + 1 < all.size(); ++i) t.push_back(all[i] + (all[i + 1] - all[i]) / 2);
  return t;
}

// Whether candidate a is preferred to b at equal J: nearer 0.5, or as near and lower.
bool preferred_at_tie(double a, double b) {
  const double da = std::abs(a - kDefaultThreshold), db = std::abs(b - kDefaultThreshold);
  return da < db || (da == db && a < b);
}

std::string described(const char* format, double value) {
  char b[160];
  std::snprintf(b, sizeof b, format, value);
  return b;
}

}  // namespace

ThresholdPick pick_decision_threshold(const std::vector<double>& probabilities,
                                      const std::vector<int>& labels) {
  if (probabilities.size() != labels.size())
    throw std::invalid_argument("decision threshold: probabilities and labels differ in count");
  SortedClass tumor, healthy;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (!(probabilities[i] >= 0 && probabilities[i] <= 1))
      throw std::invalid_argument("decision threshold: the output for image " + std::to_string(i) +
                                  " is not a probability");
    (labels[i] == 1 ? tumor : healthy).p.push_back(probabilities[i]);
  }
  if (tumor.size() == 0 || healthy.size() == 0)
    return {kDefaultThreshold, 0,
            "the validation images are all of one class, where Youden's J is undefined: "
            "the seed's 0.5 kept"};
  std::sort(tumor.p.begin(), tumor.p.end());
  std::sort(healthy.p.begin(), healthy.p.end());
  // J * P * N = TP * N + TN * P - P * N: compared in integers, so equal J are equal exactly.
  const auto score = [&](double t) {
    return tumor.above(t) * healthy.size() + (healthy.size() - healthy.above(t)) * tumor.size();
  };
  double best = kDefaultThreshold;
  std::int64_t best_score = score(best);
  for (double t : candidates(probabilities)) {
    const std::int64_t s = score(t);
    if (s > best_score || (s == best_score && preferred_at_tie(t, best))) {
      best = t;
      best_score = s;
    }
  }
  const double positives = static_cast<double>(tumor.size());
  const double negatives = static_cast<double>(healthy.size());
  const double j = static_cast<double>(best_score) / (positives * negatives) - 1;
  return {best, j, described("the highest Youden's J on the validation images (J = %.4f)", j)};
}

}  // namespace braincam
