// The K-class metrics of model/class_metrics.h on a hand-counted example, and their bootstrap
// intervals (model/bootstrap.h).
#include "model/class_metrics.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <string>

#include "model/bootstrap.h"

using namespace braincam;
using Catch::Matchers::Contains;

TEST_CASE("class metrics: top-1 accuracy, confusion, per-class and macro scores, AUC") {
  // Three classes; rows true class 0, 0, 1, 1, 2, 2.
  const ClassProbabilities p{{0.7, 0.2, 0.1}, {0.3, 0.6, 0.1}, {0.1, 0.8, 0.1},
                             {0.2, 0.5, 0.3}, {0.1, 0.1, 0.8}, {0.5, 0.1, 0.4}};
  const std::vector<int> labels{0, 0, 1, 1, 2, 2};
  const ClassMetrics m = class_metrics(p, labels);
  CHECK(m.count == 6);
  CHECK(m.accuracy == Approx(4.0 / 6));
  const std::vector<std::vector<std::int64_t>> confusion{{1, 1, 0}, {0, 2, 0}, {1, 0, 1}};
  CHECK(m.confusion == confusion);
  CHECK(m.precision[0] == Approx(0.5));
  CHECK(m.recall[0] == Approx(0.5));
  CHECK(m.precision[1] == Approx(2.0 / 3));
  CHECK(m.recall[1] == Approx(1.0));
  CHECK(m.f1[1] == Approx(0.8));
  CHECK(m.precision[2] == Approx(1.0));
  CHECK(m.recall[2] == Approx(0.5));
  CHECK(m.macro_f1 == Approx((0.5 + 0.8 + 2.0 / 3) / 3));
  // Class 0 against the rest: its 0.7 and 0.3 against 0.1, 0.2, 0.1, 0.5: 7 of 8 pairs ordered.
  CHECK(m.roc_auc[0] == Approx(7.0 / 8));
  CHECK(m.roc_auc[1] == Approx(7.0 / 8));  // its 0.8 and 0.5 against 0.2, 0.6, 0.1, 0.1
  CHECK(m.macro_roc_auc == Approx((m.roc_auc[0] + m.roc_auc[1] + m.roc_auc[2]) / 3));
  double loss = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) loss -= std::log(p[i][labels[i]]);
  CHECK(m.mean_loss == Approx(loss / 6));
}

TEST_CASE("class metrics: the first maximal class is the top one, NaN counts as maximal") {
  CHECK(top_class({0.4, 0.4, 0.2}) == 0);
  CHECK(top_class({0.1, 0.3, 0.6}) == 2);
  CHECK(top_class({0.5, std::numeric_limits<double>::quiet_NaN(), 0.5}) == 1);
}

TEST_CASE("class metrics: rows of another length, labels out of range and NaN are refused") {
  CHECK_THROWS_WITH(class_metrics({{0.5, 0.5}, {1.0}}, {0, 1}), Contains("image 1"));
  CHECK_THROWS_WITH(class_metrics({{0.5, 0.5}}, {2}), Contains("not a class index"));
  CHECK_THROWS_WITH(class_metrics({{std::numeric_limits<double>::quiet_NaN(), 0.5}}, {0}),
                    Contains("not a probability"));
}

TEST_CASE("class metrics: the tumor / no-tumor figures derived from K classes") {
  const ClassProbabilities p{{0.2, 0.7, 0.1}, {0.5, 0.1, 0.4}};
  const std::vector<double> tumor = tumor_probabilities(p, 1);
  CHECK(tumor[0] == Approx(0.3));
  CHECK(tumor[1] == Approx(0.9));
  CHECK(tumor_labels({0, 1, 2}, 1) == std::vector<int>{1, 0, 1});
}

TEST_CASE("class bootstrap: the intervals hold the figures, and depend on the seed alone") {
  ClassProbabilities p;
  std::vector<int> labels;
  std::vector<std::string> groups;
  for (int i = 0; i < 40; ++i) {
    const int k = i % 3;
    std::vector<double> row(3, 0.2);
    row[i % 5 == 0 ? (k + 1) % 3 : k] = 0.6;  // every fifth image wrong
    p.push_back(row);
    labels.push_back(k);
    groups.push_back("g" + std::to_string(i / 2));
  }
  const ClassMetrics m = class_metrics(p, labels);
  const BootstrapOptions o{.resamples = 300, .seed = 4, .confidence = 0.95};
  const ClassIntervals a = class_bootstrap_intervals(p, labels, groups, o);
  const double values[] = {m.accuracy, m.macro_f1, m.macro_roc_auc};
  for (std::size_t k = 0; k < a.size(); ++k) {
    CHECK(a[k].low <= values[k]);
    CHECK(values[k] <= a[k].high);
    CHECK(a[k].low < a[k].high);
  }
  const ClassIntervals b = class_bootstrap_intervals(p, labels, groups, o);
  CHECK(a[0].low == b[0].low);
  CHECK(a[2].high == b[2].high);
  const nlohmann::json j = to_json(a);
  CHECK(j.at("macro_f1").size() == 2);
  CHECK(j.contains("accuracy"));
}
