// The metrics of model/metrics.h on inputs that are not probabilities.
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
