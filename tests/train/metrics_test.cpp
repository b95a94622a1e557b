// The metrics of model/metrics.h on inputs that are not probabilities, and at a threshold.
#include "model/metrics.h"

#include <catch2/catch.hpp>
#include <limits>

using namespace braincam;
using Catch::Matchers::Contains;

TEST_CASE("metrics: NaN, infinite or out-of-range probabilities are refused, naming the image") {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  constexpr double inf = std::numeric_limits<double>::infinity();
  for (const double bad : {nan, inf, -inf, 1.5, -0.1}) {
    const std::vector<double> p{0.9, 0.2, bad, 0.4};
    CHECK_THROWS_WITH(classification_metrics(p, {1, 0, 1, 0}),
                      Contains("image 2") && Contains("not a probability"));
  }
  CHECK_NOTHROW(classification_metrics({0.0, 1.0}, {0, 1}));
}

TEST_CASE(
    "metrics: labels at the given threshold; the ROC curve, its AUC and the loss do not move") {
  const std::vector<double> p{0.2, 0.4, 0.6, 0.8};
  const std::vector<int> labels{0, 1, 0, 1};
  const ClassificationMetrics seed = classification_metrics(p, labels);
  const ClassificationMetrics half = classification_metrics(p, labels, 0.5);
  CHECK(nlohmann::json(to_json(seed)) == to_json(half));  // 0.5 is the default
  CHECK(seed.confusion.tp == 1);
  CHECK(seed.confusion.fp == 1);
  const ClassificationMetrics low = classification_metrics(p, labels, 0.3);
  CHECK(low.confusion.tp == 2);
  CHECK(low.confusion.fp == 1);
  CHECK(low.confusion.tn == 1);
  CHECK(low.confusion.fn == 0);
  CHECK(low.recall == 1);
  CHECK(low.accuracy == 0.75);
  CHECK(low.correct_yes == 2);
  CHECK(low.wrong_no == 1);
  CHECK(low.roc_auc == seed.roc_auc);
  CHECK(low.roc == seed.roc);
  CHECK(low.mean_loss == seed.mean_loss);
  // Labelled "tumor" strictly above the threshold.
  CHECK(classification_metrics(p, labels, 0.4).confusion.tp == 1);
  for (const double bad : {-0.1, 1.5, std::numeric_limits<double>::quiet_NaN()})
    CHECK_THROWS_WITH(classification_metrics(p, labels, bad), Contains("threshold"));
}
