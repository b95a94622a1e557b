// The cluster bootstrap of model/bootstrap.h: percentile intervals that resample source groups,
// reproducible from the seed, and the paired difference of two models on the same resamples.
#include "model/bootstrap.h"

#include <omp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <string_view>

#include "base/random.h"

using namespace braincam;

namespace {

struct Predictions {
  std::vector<double> probabilities;
  std::vector<int> labels;
};

// `n` images, half of them tumors, classified right about 85% of the time.
Predictions noisy_predictions(std::size_t n, std::uint64_t seed = 7) {
  Predictions p;
  Rng rng(seed);
  for (std::size_t i = 0; i < n; ++i) {
    const int label = static_cast<int>(i % 2);
    const double margin = rng.uniform(-0.15, 0.5);  // below 0: on the wrong side of 0.5
    p.labels.push_back(label);
    p.probabilities.push_back(label ? 0.5 + margin : 0.5 - margin);
  }
  return p;
}

double width(const Interval& i) { return i.high - i.low; }

// The place of `metric` in kBootstrapMetrics.
std::size_t at(std::string_view metric) {
  return std::find(kBootstrapMetrics.begin(), kBootstrapMetrics.end(), metric) -
         kBootstrapMetrics.begin();
}

bool same(const MetricIntervals& a, const MetricIntervals& b) {
  for (std::size_t k = 0; k < a.size(); ++k) {
    const bool low = a[k].low == b[k].low || (std::isnan(a[k].low) && std::isnan(b[k].low));
    const bool high = a[k].high == b[k].high || (std::isnan(a[k].high) && std::isnan(b[k].high));
    if (!low || !high) return false;
  }
  return true;
}

BootstrapOptions options(std::uint64_t seed = 0, int resamples = 2000) {
  BootstrapOptions o;
  o.seed = seed;
  o.resamples = resamples;
  return o;
}

}  // namespace

TEST_CASE("bootstrap: quantiles interpolate linearly between order statistics, as numpy's") {
  // numpy.quantile(v, q) with numpy's default method ("linear") gives these.
  const std::vector<double> v{0.31, 0.05, 0.77, 0.52, 0.98, 0.14, 0.66};
  CHECK(quantile(v, 0.025) == Approx(0.0635).epsilon(1e-12));
  CHECK(quantile(v, 0.25) == Approx(0.225).epsilon(1e-12));
  CHECK(quantile(v, 0.5) == 0.52);
  CHECK(quantile(v, 0.975) == Approx(0.9485).epsilon(1e-12));
  CHECK(quantile(v, 0) == 0.05);
  CHECK(quantile(v, 1) == 0.98);
  // 0, 1, ..., 1000: the q-quantile is 1000 q.
  std::vector<double> uniform;
  for (int i = 1000; i >= 0; --i) uniform.push_back(i);
  CHECK(quantile(uniform, 0.025) == 25);
  CHECK(quantile(uniform, 0.975) == 975);
  CHECK(quantile({4.5}, 0.975) == 4.5);
  CHECK(std::isnan(quantile({}, 0.5)));
}

TEST_CASE("bootstrap: a model right on every image gets intervals of [1, 1]") {
  const std::vector<double> p{0.9, 0.8, 0.95, 0.1, 0.3, 0.2, 0.7, 0.4};
  const std::vector<int> labels{1, 1, 1, 0, 0, 0, 1, 0};
  const BootstrapIntervals b = bootstrap_intervals(p, labels, {}, options());
  for (const char* metric : {"accuracy", "precision", "recall", "specificity", "f1", "roc_auc"}) {
    INFO(metric);
    CHECK(b.intervals[at(metric)].low == 1);
    CHECK(b.intervals[at(metric)].high == 1);
  }
  CHECK(b.intervals[at("mean_loss")].low > 0);  // mean_loss: the BCE of correct but unsure outputs
}

TEST_CASE("bootstrap: each interval holds the point estimate") {
  const Predictions p = noisy_predictions(400);
  const MetricValues point = metric_values(classification_metrics(p.probabilities, p.labels));
  const BootstrapIntervals b = bootstrap_intervals(p.probabilities, p.labels, {}, options());
  CHECK(b.summary.options.resamples == 2000);
  for (std::size_t k = 0; k < kBootstrapMetrics.size(); ++k) {
    INFO(kBootstrapMetrics[k] << " " << point[k] << " in [" << b.intervals[k].low << ", "
                              << b.intervals[k].high << "]");
    CHECK(b.intervals[k].low < point[k]);
    CHECK(point[k] < b.intervals[k].high);
    CHECK(width(b.intervals[k]) < 0.3);
  }
}

TEST_CASE("bootstrap: one group per image is the ordinary bootstrap") {
  const Predictions p = noisy_predictions(100);
  std::vector<std::string> own;
  for (std::size_t i = 0; i < p.labels.size(); ++i) own.push_back("image " + std::to_string(i));
  const BootstrapIntervals by_image = bootstrap_intervals(p.probabilities, p.labels, {}, options());
  const BootstrapIntervals by_group =
      bootstrap_intervals(p.probabilities, p.labels, own, options());
  CHECK(same(by_image.intervals, by_group.intervals));
  CHECK(by_group.summary.groups == 100);
  CHECK(by_group.summary.by_group);
  CHECK_FALSE(by_image.summary.by_group);
}

TEST_CASE("bootstrap: copies of one source are resampled together, widening the interval") {
  // 20 sources, each seen as 10 identical copies: the evidence of 20 images, not of 200.
  const Predictions sources = noisy_predictions(20);
  Predictions copies;
  std::vector<std::string> groups;
  for (std::size_t s = 0; s < 20; ++s)
    for (int c = 0; c < 10; ++c) {
      copies.probabilities.push_back(sources.probabilities[s]);
      copies.labels.push_back(sources.labels[s]);
      groups.push_back("source " + std::to_string(s));
    }
  const BootstrapIntervals grouped =
      bootstrap_intervals(copies.probabilities, copies.labels, groups, options());
  const BootstrapIntervals singletons =
      bootstrap_intervals(copies.probabilities, copies.labels, {}, options());
  CHECK(grouped.summary.groups == 20);
  for (std::size_t k = 0; k < kBootstrapMetrics.size(); ++k) {
    INFO(kBootstrapMetrics[k]);
    CHECK(width(grouped.intervals[k]) > 1.5 * width(singletons.intervals[k]));
  }
}

TEST_CASE("bootstrap: the seed alone decides the intervals, not the number of threads") {
  const Predictions p = noisy_predictions(300);
  const auto run = [&](std::uint64_t seed, int threads) {
    const int before = omp_get_max_threads();
    omp_set_num_threads(threads);
    const BootstrapIntervals b = bootstrap_intervals(p.probabilities, p.labels, {}, options(seed));
    omp_set_num_threads(before);
    return b.intervals;
  };
  const MetricIntervals first = run(1, 1);
  CHECK(same(first, run(1, 3)));
  const MetricIntervals other = run(2, 3);
  for (std::size_t k = 0; k < kBootstrapMetrics.size(); ++k) {
    INFO(kBootstrapMetrics[k]);
    CHECK((first[k].low != other[k].low || first[k].high != other[k].high));
  }
}

TEST_CASE("bootstrap: a model against itself differs by exactly [0, 0]") {
  const Predictions p = noisy_predictions(200);
  std::vector<std::string> groups;
  for (std::size_t i = 0; i < p.labels.size(); ++i) groups.push_back(std::to_string(i / 3));
  const PairedBootstrapIntervals paired =
      paired_bootstrap_intervals(p.probabilities, p.probabilities, p.labels, groups, options());
  for (const Interval& d : paired.difference) {
    CHECK(d.low == 0);
    CHECK(d.high == 0);
  }
  // Each model's own intervals are those it gets alone: the resamples are the same.
  const BootstrapIntervals alone =
      bootstrap_intervals(p.probabilities, p.labels, groups, options());
  CHECK(same(paired.model, alone.intervals));
  CHECK(same(paired.baseline, alone.intervals));
}

TEST_CASE("bootstrap: the paired difference follows the better model") {
  const Predictions p = noisy_predictions(300);
  std::vector<double> better = p.probabilities;
  for (std::size_t i = 0; i < better.size(); ++i)  // half the errors corrected
    if ((better[i] > 0.5) != (p.labels[i] == 1) && i % 4 < 2) better[i] = p.labels[i] ? 0.9 : 0.1;
  const PairedBootstrapIntervals paired =
      paired_bootstrap_intervals(better, p.probabilities, p.labels, {}, options());
  const Interval accuracy = paired.difference[at("accuracy")];
  CHECK(accuracy.low > 0);
  // Pairing removes the noise the two models share: the difference is narrower than either.
  CHECK(width(accuracy) < width(paired.model[at("accuracy")]));
  CHECK(width(accuracy) < width(paired.baseline[at("accuracy")]));
}

TEST_CASE(
    "bootstrap: the resamples label at the model's threshold; the AUC's and loss's "
    "intervals do not move") {
  const Predictions p = noisy_predictions(300);
  const double threshold = 0.4;
  const BootstrapIntervals seed = bootstrap_intervals(p.probabilities, p.labels, {}, options());
  CHECK(same(bootstrap_intervals(p.probabilities, p.labels, {}, options(), 0.5).intervals,
             seed.intervals));
  const BootstrapIntervals low =
      bootstrap_intervals(p.probabilities, p.labels, {}, options(), threshold);
  // Recall is higher at 0.4 (more images labelled tumor), the threshold-free intervals the same.
  CHECK(low.intervals[at("recall")].low > seed.intervals[at("recall")].low);
  for (const char* free : {"roc_auc", "mean_loss"}) {
    CHECK(low.intervals[at(free)].low == seed.intervals[at(free)].low);
    CHECK(low.intervals[at(free)].high == seed.intervals[at(free)].high);
  }
  const MetricValues point =
      metric_values(classification_metrics(p.probabilities, p.labels, threshold));
  CHECK(low.intervals[at("recall")].low < point[at("recall")]);
  CHECK(point[at("recall")] <= low.intervals[at("recall")].high);
  // Each of a pair at its own threshold: its intervals are those it gets alone.
  const PairedBootstrapIntervals paired = paired_bootstrap_intervals(
      p.probabilities, p.probabilities, p.labels, {}, options(), {threshold, 0.5});
  CHECK(same(paired.model, low.intervals));
  CHECK(same(paired.baseline, seed.intervals));
  CHECK(paired.difference[at("recall")].low > 0);
}

TEST_CASE("bootstrap: resamples with one class only are left out of the ROC AUC's interval") {
  // Two groups, one per class: half of the resamples draw one group twice.
  const std::vector<double> p{0.9, 0.6, 0.4, 0.3};
  const std::vector<int> labels{1, 1, 0, 0};
  const BootstrapIntervals b =
      bootstrap_intervals(p, labels, {"tumor", "tumor", "none", "none"}, options());
  CHECK(b.summary.auc_resamples > 800);
  CHECK(b.summary.auc_resamples < 1200);
  CHECK(b.intervals[at("roc_auc")].low == 1);  // every two-class resample separates them
  CHECK(b.intervals[at("roc_auc")].high == 1);
  CHECK(b.intervals[at("accuracy")].low == 1);  // from every resample

  // With one class in the data, no resample has a ROC AUC.
  const BootstrapIntervals none = bootstrap_intervals({0.9, 0.4}, {1, 1}, {}, options());
  CHECK(none.summary.auc_resamples == 0);
  CHECK(std::isnan(none.intervals[at("roc_auc")].low));
  CHECK(std::isnan(none.intervals[at("roc_auc")].high));
  CHECK(to_json(none.intervals)["roc_auc"] == nlohmann::json::array({nullptr, nullptr}));
}

TEST_CASE("bootstrap: no resamples, no images, mismatched sizes are refused") {
  const std::vector<double> p{0.9, 0.1};
  const std::vector<int> labels{1, 0};
  CHECK_THROWS_AS(bootstrap_intervals({}, {}, {}, options()), std::invalid_argument);
  CHECK_THROWS_AS(bootstrap_intervals(p, labels, {"a"}, options()), std::invalid_argument);
  CHECK_THROWS_AS(bootstrap_intervals(p, {1}, {}, options()), std::invalid_argument);
  CHECK_THROWS_AS(bootstrap_intervals({0.9, 1.5}, labels, {}, options()), std::invalid_argument);
  CHECK_THROWS_AS(bootstrap_intervals(p, labels, {}, options(0, -1)), std::invalid_argument);
  BootstrapOptions o;
  o.confidence = 1;
  CHECK_THROWS_AS(bootstrap_intervals(p, labels, {}, o), std::invalid_argument);
  CHECK_THROWS_AS(paired_bootstrap_intervals(p, {0.5}, labels, {}, options()),
                  std::invalid_argument);
}
