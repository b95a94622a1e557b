#pragma once
// The cluster bootstrap of the classification metrics of model/metrics.h: a confidence interval
// for each metric by the percentile method, resampling source groups rather than images.
//
// Images of one source group (augmented copies of one scan, byte-identical or near-duplicate
// files) are not independent evidence; resampling them one by one would make the intervals too
// narrow. A resample draws as many groups as there are, with replacement, and takes every image
// of each group drawn. Where every image is its own group this is the ordinary bootstrap.
//
// Resample r draws its groups from Rng(seed, resample stream, r): the intervals depend on the
// seed alone, not on the number of threads. The interval of confidence c runs from the
// (1 - c) / 2 to the (1 + c) / 2 quantile of the metric over the resamples (see `quantile`).
// A ROC AUC is undefined in a resample with one class only; such resamples are left out of the
// AUC's interval (BootstrapSummary::auc_resamples counts the others).
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/class_metrics.h"
#include "model/metrics.h"

namespace braincam {

// The metrics that get an interval, as named in to_json(ClassificationMetrics).
inline constexpr std::array<const char*, 7> kBootstrapMetrics = {
    "accuracy", "precision", "recall", "specificity", "f1", "roc_auc", "mean_loss"};
using MetricValues = std::array<double, kBootstrapMetrics.size()>;

// The metrics of kBootstrapMetrics, in its order.
MetricValues metric_values(const ClassificationMetrics& m);
// a − b, metric by metric (NaN where either is NaN).
MetricValues metric_difference(const MetricValues& a, const MetricValues& b);

struct Interval {
  // NaN when the metric was undefined in every resample.
  double low = std::numeric_limits<double>::quiet_NaN();
  double high = std::numeric_limits<double>::quiet_NaN();
};
using MetricIntervals = std::array<Interval, kBootstrapMetrics.size()>;

struct BootstrapOptions {
  int resamples = 2000;
  std::uint64_t seed = 0;
  double confidence = 0.95;  // in (0, 1)
};

struct BootstrapSummary {
  BootstrapOptions options;
  bool by_group = false;   // false: each image was its own group
  std::size_t groups = 0;  // the groups drawn from
  int auc_resamples = 0;   // resamples with both classes, those of the ROC AUC's interval
};

struct BootstrapIntervals {
  BootstrapSummary summary;
  MetricIntervals intervals;
};

// Two models on the same images, both measured on the same resamples.
struct PairedBootstrapIntervals {
  BootstrapSummary summary;
  MetricIntervals model, baseline;
  MetricIntervals difference;  // of model − baseline, resample by resample
};

// The decision thresholds of two models (classification_metrics' `threshold`).
struct PairedThresholds {
  double model = 0.5, baseline = 0.5;
};

// `groups`: the source group of each image, or empty for one group per image. Each resample's
// metrics label with the model's `threshold`, as its metrics on all images do. Throws
// std::invalid_argument for no images, sizes that differ, resamples below 0 or a confidence
// outside (0, 1), and what classification_metrics refuses.
BootstrapIntervals bootstrap_intervals(const std::vector<double>& probabilities,
                                       const std::vector<int>& labels,
                                       const std::vector<std::string>& groups,
                                       const BootstrapOptions& options, double threshold = 0.5);
PairedBootstrapIntervals paired_bootstrap_intervals(const std::vector<double>& model,
                                                    const std::vector<double>& baseline,
                                                    const std::vector<int>& labels,
                                                    const std::vector<std::string>& groups,
                                                    const BootstrapOptions& options,
                                                    PairedThresholds thresholds = {});

// The figures of a K-class model (model/class_metrics.h) that get an interval, as `evaluate
// --json` names them.
inline constexpr std::array<const char*, 3> kClassBootstrapMetrics = {"accuracy", "macro_f1",
                                                                      "macro_roc_auc"};
using ClassIntervals = std::array<Interval, kClassBootstrapMetrics.size()>;

// The intervals of a K-class model's top-1 accuracy, macro F1 and macro ROC AUC, over the same
// resamples as bootstrap_intervals' with the same groups and options (a resample that lacks a
// class has no macro ROC AUC and is left out of its interval). Throws as bootstrap_intervals and
// class_metrics do.
ClassIntervals class_bootstrap_intervals(const ClassProbabilities& probabilities,
                                         const std::vector<int>& labels,
                                         const std::vector<std::string>& groups,
                                         const BootstrapOptions& options);

// The q-quantile of `values`, q in [0, 1], by linear interpolation between order statistics:
// sorted v[0..n-1], h = (n - 1) q, v[floor h] + (h - floor h) (v[floor h + 1] - v[floor h]).
// This is numpy's default method ("linear"; type 7 of Hyndman and Fan). NaN for no values.
double quantile(std::vector<double> values, double q);

// {"accuracy": value, ...}; an undefined value (a ROC AUC with one class) is null.
nlohmann::json to_json(const MetricValues& values);
// {"accuracy": [low, high], ...}; an undefined bound is null.
nlohmann::json to_json(const MetricIntervals& intervals);
// {"accuracy": [low, high], "macro_f1": ..., "macro_roc_auc": ...}; an undefined bound is null.
nlohmann::json to_json(const ClassIntervals& intervals);
// {"resamples", "seed", "confidence", "unit": "source group" | "image", "groups", "auc_resamples"}
nlohmann::json to_json(const BootstrapSummary& summary);

}  // namespace braincam
