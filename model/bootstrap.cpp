#include "model/bootstrap.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "base/random.h"

namespace braincam {

namespace {

// The generator stream of the resamples; evaluate --compare seeds training with the same seed,
// whose streams 1 and 2 shuffle epochs and draw subsets.
constexpr std::uint64_t kResampleStream = 3;
constexpr std::size_t kAuc = 5;  // roc_auc's place in kBootstrapMetrics
static_assert(std::string_view(kBootstrapMetrics[kAuc]) == "roc_auc");

using Groups = std::vector<std::vector<std::size_t>>;  // the images of each group

// Groups numbered in the order of their first image; one per image for no `groups`.
Groups images_by_group(const std::vector<std::string>& groups, std::size_t images) {
  Groups members;
  if (groups.empty()) {
    for (std::size_t i = 0; i < images; ++i) members.push_back({i});
    return members;
  }
  std::unordered_map<std::string, std::size_t> number;
  for (std::size_t i = 0; i < images; ++i) {
    const auto [it, added] = number.try_emplace(groups[i], members.size());
    if (added) members.emplace_back();
    members[it->second].push_back(i);
  }
  return members;
}

// The images of resample r: as many groups as there are, drawn with replacement.
std::vector<std::size_t> resample(const Groups& members, std::uint64_t seed, int r) {
  Rng rng(seed, kResampleStream, static_cast<std::uint64_t>(r));
  std::vector<std::size_t> images;
  for (std::size_t k = 0; k < members.size(); ++k) {
    const std::vector<std::size_t>& group = members[rng.below(members.size())];
    images.insert(images.end(), group.begin(), group.end());
  }
  return images;
}

template <class T>
std::vector<T> pick(const std::vector<T>& values, const std::vector<std::size_t>& images) {
  std::vector<T> picked;
  picked.reserve(images.size());
  for (std::size_t i : images) picked.push_back(values[i]);
  return picked;
}

// A model's probabilities and the threshold it labels with.
struct Scored {
  const std::vector<double>* probabilities;
  double threshold;
};

void check_inputs(const std::vector<Scored>& models, const std::vector<int>& labels,
                  const std::vector<std::string>& groups, const BootstrapOptions& o) {
  if (labels.empty()) throw std::invalid_argument("bootstrap: no images");
  if (!groups.empty() && groups.size() != labels.size())
    throw std::invalid_argument("bootstrap: groups and labels differ in count");
  if (o.resamples < 0) throw std::invalid_argument("bootstrap: resamples below 0");
  if (!(o.confidence > 0 && o.confidence < 1))
    throw std::invalid_argument("bootstrap: the confidence must lie in (0, 1)");
  // Refused here rather than in the parallel loop, which an exception must not leave.
  for (const Scored& m : models) classification_metrics(*m.probabilities, labels, m.threshold);
}

// The metrics of each model on each resample: [model][resample].
std::vector<std::vector<MetricValues>> resampled_metrics(const std::vector<Scored>& models,
                                                         const std::vector<int>& labels,
                                                         const Groups& members,
                                                         const BootstrapOptions& o) {
  std::vector<std::vector<MetricValues>> values(models.size(),
                                                std::vector<MetricValues>(o.resamples));
#pragma omp parallel for schedule(dynamic, 16)
  for (int r = 0; r < o.resamples; ++r) {
    const std::vector<std::size_t> images = resample(members, o.seed, r);
    const std::vector<int> resampled_labels = pick(labels, images);
    for (std::size_t m = 0; m < models.size(); ++m)
      values[m][r] = metric_values(classification_metrics(pick(*models[m].probabilities, images),
                                                          resampled_labels, models[m].threshold));
  }
  return values;
}

// The percentile interval of each metric, over the resamples where it is defined.
template <std::size_t N>
std::array<Interval, N> percentile_intervals(const std::vector<std::array<double, N>>& values,
                                             double confidence) {
  std::array<Interval, N> intervals;
  for (std::size_t k = 0; k < N; ++k) {
    std::vector<double> defined;
    for (const auto& v : values)
      if (!std::isnan(v[k])) defined.push_back(v[k]);
    intervals[k] = {quantile(defined, (1 - confidence) / 2),
                    quantile(defined, (1 + confidence) / 2)};
  }
  return intervals;
}

BootstrapSummary summarize(const BootstrapOptions& o, const std::vector<std::string>& groups,
                           const Groups& members, const std::vector<MetricValues>& values) {
  BootstrapSummary s{o, !groups.empty(), members.size(), 0};
  for (const MetricValues& v : values) s.auc_resamples += !std::isnan(v[kAuc]);
  return s;
}

nlohmann::json number_or_null(double v) {
  return std::isnan(v) ? nlohmann::json() : nlohmann::json(v);
}

}  // namespace

MetricValues metric_values(const ClassificationMetrics& m) {
  return {m.accuracy, m.precision, m.recall, m.specificity, m.f1, m.roc_auc, m.mean_loss};
}

MetricValues metric_difference(const MetricValues& a, const MetricValues& b) {
  MetricValues d;
  for (std::size_t k = 0; k < d.size(); ++k) d[k] = a[k] - b[k];
  return d;
}

BootstrapIntervals bootstrap_intervals(const std::vector<double>& probabilities,
                                       const std::vector<int>& labels,
                                       const std::vector<std::string>& groups,
                                       const BootstrapOptions& options, double threshold) {
  const std::vector<Scored> models{{&probabilities, threshold}};
  check_inputs(models, labels, groups, options);
  const Groups members = images_by_group(groups, labels.size());
  const auto values = resampled_metrics(models, labels, members, options);
  return {summarize(options, groups, members, values[0]),
          percentile_intervals(values[0], options.confidence)};
}

PairedBootstrapIntervals paired_bootstrap_intervals(const std::vector<double>& model,
                                                    const std::vector<double>& baseline,
                                                    const std::vector<int>& labels,
                                                    const std::vector<std::string>& groups,
                                                    const BootstrapOptions& options,
                                                    PairedThresholds thresholds) {
  const std::vector<Scored> models{{&model, thresholds.model}, {&baseline, thresholds.baseline}};
  check_inputs(models, labels, groups, options);
  const Groups members = images_by_group(groups, labels.size());
  const auto values = resampled_metrics(models, labels, members, options);
  std::vector<MetricValues> difference;
  for (std::size_t r = 0; r < values[0].size(); ++r)
    difference.push_back(metric_difference(values[0][r], values[1][r]));
  return {summarize(options, groups, members, values[0]),
          percentile_intervals(values[0], options.confidence),
          percentile_intervals(values[1], options.confidence),
          percentile_intervals(difference, options.confidence)};
}

ClassIntervals class_bootstrap_intervals(const ClassProbabilities& probabilities,
                                         const std::vector<int>& labels,
                                         const std::vector<std::string>& groups,
                                         const BootstrapOptions& options) {
  check_inputs({}, labels, groups, options);
  class_metrics(probabilities, labels);  // refused here, not in the parallel loop
  const Groups members = images_by_group(groups, labels.size());
  using Values = std::array<double, kClassBootstrapMetrics.size()>;
  std::vector<Values> values(options.resamples);
#pragma omp parallel for schedule(dynamic, 16)
  for (int r = 0; r < options.resamples; ++r) {
    const std::vector<std::size_t> images = resample(members, options.seed, r);
    const ClassMetrics m = class_metrics(pick(probabilities, images), pick(labels, images));
    values[r] = {m.accuracy, m.macro_f1, m.macro_roc_auc};
  }
  return percentile_intervals(values, options.confidence);
}

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(values.begin(), values.end());
  const double h = static_cast<double>(values.size() - 1) * q;
  const std::size_t below = static_cast<std::size_t>(std::floor(h));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (h - static_cast<double>(below)) * (values[above] - values[below]);
}

nlohmann::json to_json(const MetricValues& values) {
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t k = 0; k < kBootstrapMetrics.size(); ++k)
    j[kBootstrapMetrics[k]] = number_or_null(values[k]);
  return j;
}

nlohmann::json to_json(const MetricIntervals& intervals) {
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t k = 0; k < kBootstrapMetrics.size(); ++k)
    j[kBootstrapMetrics[k]] = {number_or_null(intervals[k].low), number_or_null(intervals[k].high)};
  return j;
}

nlohmann::json to_json(const ClassIntervals& intervals) {
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t k = 0; k < kClassBootstrapMetrics.size(); ++k)
    j[kClassBootstrapMetrics[k]] = {number_or_null(intervals[k].low),
                                    number_or_null(intervals[k].high)};
  return j;
}

nlohmann::json to_json(const BootstrapSummary& s) {
  return {{"resamples", s.options.resamples},
          {"seed", s.options.seed},
          {"confidence", s.options.confidence},
          {"unit", s.by_group ? "source group" : "image"},
          {"groups", s.groups},
          {"auc_resamples", s.auc_resamples}};
}

}  // namespace braincam
