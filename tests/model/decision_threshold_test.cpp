// The decision threshold of model/decision_threshold.h: the highest Youden's J over the midpoints
// between distinct probabilities and 0.5, ties toward 0.5, and 0.5 where J is undefined.
#include "model/decision_threshold.h"

#include <catch2/catch.hpp>
#include <limits>

using namespace braincam;
using Catch::Matchers::Contains;

TEST_CASE("decision threshold: perfectly separable classes are split between them") {
  // Every image above 0.5: 0.5 labels them all "tumor" (J = 0).
  const ThresholdPick pick = pick_decision_threshold({0.6, 0.65, 0.8, 0.9, 0.62}, {0, 0, 1, 1, 0});
  CHECK(pick.threshold > 0.65);
  CHECK(pick.threshold < 0.8);
  CHECK(pick.threshold == Approx(0.725));
  CHECK(pick.youden_j == 1);
  CHECK_THAT(pick.why, Contains("Youden's J"));
  // Below 0.5 as well.
  CHECK(pick_decision_threshold({0.05, 0.1, 0.2, 0.3}, {0, 0, 1, 1}).threshold == Approx(0.15));
}

TEST_CASE("decision threshold: 0.5 is kept whenever it is among the best") {
  // Separable around 0.5: every threshold in (0.3, 0.7) has J = 1, 0.5 among them.
  const ThresholdPick pick = pick_decision_threshold({0.1, 0.3, 0.7, 0.9}, {0, 0, 1, 1});
  CHECK(pick.threshold == 0.5);
  CHECK(pick.youden_j == 1);
}

TEST_CASE("decision threshold: ties go to the candidate nearest 0.5, then to the lower") {
  // J = 0.5 at 0.2 (both tumors found, one of two healthy) and at 0.75 (one tumor, both healthy).
  CHECK(pick_decision_threshold({0.1, 0.6, 0.3, 0.9}, {0, 0, 1, 1}).threshold == Approx(0.75));
  // J = 0.5 at 0.25 and at 0.75, as far from 0.5: the lower, more sensitive one.
  const ThresholdPick pick = pick_decision_threshold({0.125, 0.625, 0.375, 0.875}, {0, 0, 1, 1});
  CHECK(pick.threshold == 0.25);
  CHECK(pick.youden_j == 0.5);
}

TEST_CASE("decision threshold: tied probabilities are never split") {
  // A tumor and a healthy image at 0.4: no threshold separates them; J = 0.5 at best.
  const ThresholdPick pick = pick_decision_threshold({0.4, 0.4, 0.8}, {0, 1, 1});
  CHECK(pick.youden_j == 0.5);
  CHECK(pick.threshold == 0.5);  // the same split as 0.6, the midpoint of 0.4 and 0.8
}

TEST_CASE("decision threshold: one class only (or no image) keeps 0.5, saying why") {
  for (const std::vector<int>& labels : {std::vector<int>{1, 1, 1}, std::vector<int>{0, 0, 0}}) {
    const ThresholdPick pick = pick_decision_threshold({0.2, 0.7, 0.9}, labels);
    CHECK(pick.threshold == 0.5);
    CHECK(pick.youden_j == 0);
    CHECK_THAT(pick.why, Contains("one class") && Contains("undefined"));
  }
  CHECK(pick_decision_threshold({}, {}).threshold == 0.5);
}

TEST_CASE("decision threshold: refuses sizes that differ and values that are not probabilities") {
  CHECK_THROWS_AS(pick_decision_threshold({0.2}, {0, 1}), std::invalid_argument);
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  for (const double bad : {nan, -0.1, 1.5})
    CHECK_THROWS_WITH(pick_decision_threshold({0.2, bad}, {0, 1}), Contains("image 1"));
}
