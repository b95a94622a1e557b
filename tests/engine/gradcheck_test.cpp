// The finite-difference checker itself: it accepts a right gradient, catches a wrong one, uses
// the borrowed scale, and leaves its inputs as it found them.
#include "tests/engine/gradcheck.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "tests/engine/random_tensors.h"
#include "tests/engine/test_ops.h"

using namespace braincam;
using namespace braincam::test;

namespace {

// y = x^3 elementwise, with its backward scaled by `factor` (1: right; otherwise wrong).
Var cube(const Var& x, double factor) {
  Tensor y = x.value().clone();
  for (std::int64_t i = 0; i < y.numel(); ++i) y.data<double>()[i] = std::pow(x.value().item(i), 3);
  const Tensor X = x.value();
  return Var::from_op(y, "cube", {x}, [X, factor](const Tensor& dy) -> std::vector<Tensor> {
    Tensor dx = dy.clone();
    for (std::int64_t i = 0; i < dx.numel(); ++i)
      dx.data<double>()[i] *= factor * 3 * X.item(i) * X.item(i);
    return {dx};
  });
}

}  // namespace

TEST_CASE("gradcheck accepts a correct gradient", "[gradcheck]") {
  Rng rng(1);
  Var x(uniform({2, 3}, -2, 2, rng));
  const Tensor R = uniform({2, 3}, -1, 1, rng);
  const auto report = gradcheck([&] { return weighted_sum(cube(x, 1.0), R); }, {{"x", x}});
  INFO(report.str());
  REQUIRE(report.inputs.size() == 1);
  CHECK(report.inputs[0].checked == 6);
  CHECK(report.max_error() < 1e-8);
}

TEST_CASE("gradcheck catches a wrong gradient", "[gradcheck]") {
  Rng rng(2);
  Var x(uniform({4}, 0.5, 2, rng));
  const Tensor R = uniform({4}, 0.5, 1, rng);
  const auto report = gradcheck([&] { return weighted_sum(cube(x, 1.001), R); }, {{"x", x}});
  INFO(report.str());
  CHECK(report.max_error() > 5e-4);
  CHECK(report.max_error() < 2e-3);
}

TEST_CASE("gradcheck samples large inputs and restores every value", "[gradcheck]") {
  Rng rng(3);
  Var x(uniform({50, 40}, -1, 1, rng));
  const Tensor before = x.value().clone();
  const Tensor R = uniform({50, 40}, -1, 1, rng);
  GradCheckOptions options;
  options.max_elements = 25;
  const auto report = gradcheck([&] { return weighted_sum(cube(x, 1.0), R); }, {{"x", x}}, options);
  CHECK(report.inputs[0].checked == 25);
  CHECK(report.max_error() < 1e-8);
  CHECK(x.value().to_vector() == before.to_vector());
}

TEST_CASE("gradcheck measures a zero gradient on a borrowed scale", "[gradcheck]") {
  // f = sum(x^3 * R) + 0 * b: b's gradient is exactly 0, so any numeric noise in it is judged
  // against x's gradient scale.
  Rng rng(4);
  Var x(uniform({3}, 1, 2, rng)), b(uniform({1}, -1, 1, rng));
  const Tensor R = uniform({3}, 1, 2, rng);
  const Tensor zero = Tensor::zeros({1}, DType::F64);
  auto loss = [&] { return add_scalars(weighted_sum(cube(x, 1.0), R), weighted_sum(b, zero)); };
  const auto report = gradcheck(loss, {{"x", x}, {"b", b, "x"}});
  INFO(report.str());
  CHECK(report.inputs[1].scale == Approx(report.inputs[0].scale));
  CHECK(report.inputs[1].scale > 1);
  CHECK(report.max_error() < 1e-8);
}

TEST_CASE("gradcheck refuses inputs it cannot perturb", "[gradcheck]") {
  Rng rng(5);
  Var x(uniform({3}, -1, 1, rng), true);
  const Tensor R = uniform({3}, -1, 1, rng);
  const Var y = cube(x, 1.0);
  CHECK_THROWS_AS(gradcheck([&] { return weighted_sum(y, R); }, {{"y", y}}), std::invalid_argument);
  Var f32(uniform({3}, -1, 1, rng, DType::F32));
  CHECK_THROWS_AS(gradcheck([&] { return weighted_sum(f32, R); }, {{"f32", f32}}),
                  std::invalid_argument);
}
