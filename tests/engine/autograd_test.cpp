// The autograd core: gradient accumulation over several paths and several backward calls,
// NoGradScope, and backward's refusals.
#include <catch2/catch.hpp>
#include <string>

#include "engine/ops.h"
#include "tests/engine/random_tensors.h"
#include "tests/engine/test_ops.h"

using namespace braincam;
using namespace braincam::test;

namespace {

std::vector<double> plus(const Tensor& a, const Tensor& b) {
  std::vector<double> va = a.to_vector(), vb = b.to_vector();
  for (std::size_t i = 0; i < va.size(); ++i) va[i] += vb[i];
  return va;
}

}  // namespace

TEST_CASE("a leaf used twice gets the sum of both gradients", "[autograd]") {
  Rng rng(21);
  Var x(uniform({2, 3}, -1, 1, rng), true);
  const Tensor R1 = uniform({2, 3}, -1, 1, rng), R2 = uniform({2, 3}, -1, 1, rng);
  backward(add_scalars(weighted_sum(x, R1), weighted_sum(x, R2)));
  CHECK(x.grad().to_vector() == plus(R1, R2));
}

TEST_CASE("an intermediate result used twice back-propagates the summed gradient", "[autograd]") {
  Rng rng(22);
  const Tensor values = Tensor::from_vector({4}, {-1.0, 0.5, 2.0, -0.25}, DType::F64);
  Var x(values.clone(), true);
  const Var a = relu(x);
  const Tensor R1 = uniform({4}, -1, 1, rng), R2 = uniform({4}, -1, 1, rng);
  const Var loss = add_scalars(weighted_sum(a, R1), weighted_sum(a, R2));
  backward(loss);
  const std::vector<double> sum = plus(R1, R2);
  CHECK(x.grad().to_vector() == std::vector<double>{0, sum[1], sum[2], 0});
  SECTION("the same scalar on both sides of a sum: both gradients flow") {
    Var s(Tensor::full({}, 3.0, DType::F64), true);
    backward(add_scalars(s, s));
    CHECK(s.grad().item() == 2.0);
  }
}

TEST_CASE("gradients accumulate over backward calls until zero_grad", "[autograd]") {
  Rng rng(23);
  const Var x(uniform({1, 3}, -1, 1, rng));
  Var w(uniform({2, 3}, -1, 1, rng), true), b(uniform({2}, -1, 1, rng), true);
  const Tensor R = uniform({1, 2}, -1, 1, rng);
  auto loss = [&] { return weighted_sum(linear(x, w, b), R); };
  backward(loss());
  const Tensor once = w.grad().clone();
  backward(loss());
  CHECK(w.grad().to_vector() == plus(once, once));
  w.zero_grad();
  CHECK_FALSE(w.grad().defined());
  backward(loss());
  CHECK(w.grad().to_vector() == once.to_vector());
}

TEST_CASE("NoGradScope records nothing and restores the previous mode", "[autograd]") {
  Rng rng(24);
  Var x(uniform({1, 1, 4, 4}, -1, 1, rng), true);
  CHECK(grad_enabled());
  {
    NoGradScope outer;
    CHECK_FALSE(grad_enabled());
    const Var y = maxpool4(relu(x));
    CHECK_FALSE(y.requires_grad());
    CHECK(y.grad_fn() == nullptr);
    {
      NoGradScope inner;
      CHECK_FALSE(grad_enabled());
    }
    CHECK_FALSE(grad_enabled());
    CHECK_THROWS_AS(backward(y), std::logic_error);
  }
  CHECK(grad_enabled());
  const Var y = maxpool4(relu(x));
  CHECK(y.requires_grad());
  REQUIRE(y.grad_fn() != nullptr);
  CHECK(std::string(y.grad_fn()->op) == "maxpool4");
}

TEST_CASE("an op on inputs that need no gradient records nothing", "[autograd]") {
  Rng rng(25);
  const Var y = relu(Var(uniform({3}, -1, 1, rng)));
  CHECK_FALSE(y.requires_grad());
  CHECK(y.grad_fn() == nullptr);
  CHECK_THROWS_AS(backward(y), std::logic_error);
}

TEST_CASE("backward from a non-scalar needs a seed", "[autograd]") {
  Rng rng(26);
  Var x(uniform({2, 3}, -1, 1, rng), true);
  const Var y = relu(x);
  CHECK_THROWS_AS(backward(y), std::logic_error);
  CHECK_FALSE(x.grad().defined());
  const Tensor seed = uniform({2, 3}, -1, 1, rng);
  backward(y, seed);
  Var x2(x.value().clone(), true);
  backward(weighted_sum(relu(x2), seed));
  CHECK(x.grad().to_vector() == x2.grad().to_vector());
}
