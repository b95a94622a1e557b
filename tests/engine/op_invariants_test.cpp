// Properties of the ops that the model contract states outright: the CAM map adds up to the
// logit, the guidance is a distribution, maxima break ties by the first in row-major order,
// batchnorm's running statistics follow PyTorch's rule, relu's gradient vanishes at 0.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>

#include "engine/ops.h"
#include "tests/engine/random_tensors.h"
#include "tests/engine/test_ops.h"

using namespace braincam;
using namespace braincam::test;

namespace {

// The gradient of sum(op(x) * R) with respect to x.
Tensor input_gradient(const std::function<Var(const Var&)>& op, const Tensor& x, const Tensor& R) {
  Var v(x.clone(), true);
  backward(weighted_sum(op(v), R));
  return v.grad();
}

double max_abs_difference(const Tensor& a, const Tensor& b) {
  const auto va = a.to_vector(), vb = b.to_vector();
  REQUIRE(va.size() == vb.size());
  double m = 0;
  for (std::size_t i = 0; i < va.size(); ++i) m = std::max(m, std::abs(va[i] - vb[i]));
  return m;
}

// Where two elements of x tie for a maximum, the gradient must be the one-sided limit in which
// the first (`first`, earlier in row-major order) wins, not the one in which `second` wins.
void check_first_maximum_wins(const std::function<Var(const Var&)>& op, const Tensor& tied,
                              std::int64_t first, std::int64_t second, Rng& rng) {
  REQUIRE(tied.item(first) == tied.item(second));
  Shape out_shape;
  {
    NoGradScope no_grad;
    out_shape = op(Var(tied)).value().shape();
  }
  const Tensor R = uniform(out_shape, -1, 1, rng);
  constexpr double kDelta = 1e-9;
  auto lowered = [&](std::int64_t index) {
    Tensor t = tied.clone();
    t.data<double>()[index] -= kDelta;
    return t;
  };
  const Tensor at_tie = input_gradient(op, tied, R);
  const Tensor first_wins = input_gradient(op, lowered(second), R);
  const Tensor second_wins = input_gradient(op, lowered(first), R);
  CHECK(max_abs_difference(at_tie, first_wins) < 1e-6);
  CHECK(max_abs_difference(at_tie, second_wins) > 1e-3);  // the two limits are distinguishable
}

}  // namespace

TEST_CASE("the CAM map sums to the logit minus fc.bias", "[invariants]") {
  for (const DType dtype : {DType::F64, DType::F32}) {
    DYNAMIC_SECTION(dtype_name(dtype)) {
      Rng rng(11);
      const std::int64_t N = 3, C = 32, cells = 15 * 15;
      const Tensor P = uniform({N, C, 15, 15}, 0, 2, rng, dtype);
      const Tensor w = uniform({1, C * cells}, -0.02, 0.02, rng, dtype);
      const Tensor b = uniform({1}, -0.5, 0.5, rng, dtype);
      const Tensor z = linear(Var(P), Var(w), Var(b)).value();
      const Tensor cam = cam_reduce(P, w);
      REQUIRE(cam.shape() == Shape{N, 15, 15});
      const double tolerance = dtype == DType::F64 ? 1e-12 : 1e-5;
      for (std::int64_t n = 0; n < N; ++n) {
        // Errors are measured against the sums of absolute terms, since the terms cancel.
        double total = 0, magnitude = 0;
        for (std::int64_t p = 0; p < cells; ++p) {
          double expected = 0, cell_magnitude = 0;  // the reduction itself, cell by cell
          for (std::int64_t c = 0; c < C; ++c) {
            const double term = w.item(c * cells + p) * P.item((n * C + c) * cells + p);
            expected += term;
            cell_magnitude += std::abs(term);
          }
          CHECK(std::abs(cam.item(n * cells + p) - expected) <= tolerance * cell_magnitude);
          total += cam.item(n * cells + p);
          magnitude += cell_magnitude;
        }
        CHECK(std::abs(total - (z.item(n) - b.item())) <= tolerance * magnitude);
      }
    }
  }
}

TEST_CASE("the CAM guidance is the softmax of the pooled CAM map, summing to 1", "[invariants]") {
  Rng rng(12);
  const std::int64_t N = 2, C = 32, H = 60, W = 60, cells = 15 * 15;
  const Tensor F = uniform({N, C, H, W}, 0, 3, rng);
  const Tensor w = uniform({1, C * cells}, -0.05, 0.05, rng);
  const Tensor s = cam_guidance(F, w);
  REQUIRE(s.shape() == Shape{N, cells});
  const Tensor cam = cam_reduce(maxpool4(Var(F)).value(), w);
  for (std::int64_t n = 0; n < N; ++n) {
    double sum = 0, normalizer = 0;
    for (std::int64_t p = 0; p < cells; ++p) normalizer += std::exp(cam.item(n * cells + p));
    for (std::int64_t p = 0; p < cells; ++p) {
      CHECK(s.item(n * cells + p) > 0);
      CHECK(s.item(n * cells + p) ==
            Approx(std::exp(cam.item(n * cells + p)) / normalizer).epsilon(1e-12));
      sum += s.item(n * cells + p);
    }
    CHECK(sum == Approx(1.0).epsilon(1e-13));
  }
  SECTION("large CAM values do not overflow the softmax") {
    const Tensor big = cam_guidance(F, uniform({1, C * cells}, 50, 60, rng));
    double sum = 0;
    for (double v : big.to_vector()) {
      REQUIRE(std::isfinite(v));
      sum += v;
    }
    CHECK(sum == Approx(static_cast<double>(N)).epsilon(1e-12));
  }
}

TEST_CASE("max pooling: the first maximum in row-major order takes the whole gradient",
          "[invariants]") {
  // One 4x8 plane, two windows. Window 0 holds its maximum 5 at (1,2), (2,3) and (3,0); window 1
  // is constant.
  std::vector<double> plane(4 * 8);
  for (int h = 0; h < 4; ++h)
    for (int w = 0; w < 8; ++w) plane[h * 8 + w] = w < 4 ? 0.1 * (h * 4 + w) : 2.0;
  for (int at : {1 * 8 + 2, 2 * 8 + 3, 3 * 8 + 0}) plane[at] = 5.0;
  Var x(Tensor::from_vector({1, 1, 4, 8}, plane, DType::F64), true);
  const Var y = maxpool4(x);
  CHECK(y.value().to_vector() == std::vector<double>{5.0, 2.0});
  backward(y, Tensor::from_vector({1, 1, 1, 2}, {0.7, -1.3}, DType::F64));
  std::vector<double> expected(4 * 8, 0.0);
  expected[1 * 8 + 2] = 0.7;
  expected[0 * 8 + 4] = -1.3;
  CHECK(x.grad().to_vector() == expected);
}

TEST_CASE("attention maxima: the first maximum takes the gradient", "[invariants]") {
  Rng rng(13);
  SECTION("channel attention: the max over a plane, tied at two positions") {
    const std::int64_t N = 2, C = 3, H = 4, W = 8;
    Tensor x = distinct_uniform({N, C, H, W}, -1, 1, rng);
    const std::int64_t plane = (1 * C + 2) * H * W;  // image 1, channel 2
    const std::int64_t first = plane + 5, second = plane + 3 * W + 6;
    x.data<double>()[first] = x.data<double>()[second] = 1.5;  // above every other value
    const Tensor guidance = random_distribution(N, (H / 4) * (W / 4), rng);
    Var w1(uniform({2, C}, -1, 1, rng)), b1(uniform({2}, 0.5, 1, rng)),
        w2(uniform({C, 2}, -1, 1, rng)), b2(uniform({C}, -0.3, 0.3, rng));
    check_first_maximum_wins(
        [&](const Var& v) { return channel_attention(v, guidance, w1, b1, w2, b2); }, x, first,
        second, rng);
  }
  SECTION("spatial attention: the max over channels, tied in two channels") {
    const std::int64_t N = 2, C = 4, H = 5, W = 6;
    Tensor x = distinct_uniform({N, C, H, W}, -1, 1, rng);
    const std::int64_t position = 2 * W + 3;
    const std::int64_t first = (1 * C + 1) * H * W + position,
                       second = (1 * C + 3) * H * W + position;
    x.data<double>()[first] = x.data<double>()[second] = 1.5;
    Var w(uniform({1, 2, 7, 7}, -0.5, 0.5, rng));
    check_first_maximum_wins([&](const Var& v) { return spatial_attention(v, w); }, x, first,
                             second, rng);
  }
}

TEST_CASE("batchnorm normalizes with batch statistics and updates the running ones like PyTorch",
          "[invariants]") {
  Rng rng(14);
  const std::int64_t N = 3, C = 4, H = 5, W = 6, HW = H * W, n = N * HW;
  const double momentum = 0.1, eps = 1e-5;
  const Tensor x = uniform({N, C, H, W}, -1, 3, rng);
  const Tensor gamma = uniform({C}, 0.5, 1.5, rng), beta = uniform({C}, -0.5, 0.5, rng);
  const Tensor running_mean = uniform({C}, -1, 1, rng), running_var = uniform({C}, 0.5, 2, rng);
  const Tensor mean0 = running_mean.clone(), var0 = running_var.clone();
  const Tensor y =
      batchnorm_train(Var(x), Var(gamma), Var(beta), running_mean, running_var, momentum, eps)
          .value();
  for (std::int64_t c = 0; c < C; ++c) {
    double sum = 0, sq = 0;
    for (std::int64_t i = 0; i < N; ++i)
      for (std::int64_t p = 0; p < HW; ++p) sum += x.item((i * C + c) * HW + p);
    const double mean = sum / n;
    for (std::int64_t i = 0; i < N; ++i)
      for (std::int64_t p = 0; p < HW; ++p) sq += std::pow(x.item((i * C + c) * HW + p) - mean, 2);
    const double biased = sq / n, unbiased = sq / (n - 1);
    CHECK(running_mean.item(c) == Approx(0.9 * mean0.item(c) + 0.1 * mean).epsilon(1e-13));
    CHECK(running_var.item(c) == Approx(0.9 * var0.item(c) + 0.1 * unbiased).epsilon(1e-13));
    for (std::int64_t i = 0; i < N; ++i)
      for (std::int64_t p = 0; p < HW; ++p) {
        const std::int64_t at = (i * C + c) * HW + p;
        const double expected =
            gamma.item(c) * (x.item(at) - mean) / std::sqrt(biased + eps) + beta.item(c);
        REQUIRE(y.item(at) == Approx(expected).epsilon(1e-12).margin(1e-12));
      }
  }
  SECTION("evaluation mode uses the running statistics and records no graph") {
    NoGradScope no_grad;
    const Tensor e =
        batchnorm_eval(Var(x), Var(gamma), Var(beta), running_mean, running_var, eps).value();
    for (std::int64_t at : {std::int64_t{0}, 4 * HW + 7, x.numel() - 1}) {
      const std::int64_t c = (at / HW) % C;
      const double expected = gamma.item(c) * (x.item(at) - running_mean.item(c)) /
                                  std::sqrt(running_var.item(c) + eps) +
                              beta.item(c);
      CHECK(e.item(at) == Approx(expected).epsilon(1e-12));
    }
  }
  SECTION("evaluation mode refuses to build a graph") {
    Var trainable(gamma.clone(), true);
    CHECK_THROWS_AS(batchnorm_eval(Var(x), trainable, Var(beta), running_mean, running_var, eps),
                    std::logic_error);
  }
}

TEST_CASE("relu: the gradient is zero at exactly 0", "[invariants]") {
  Var x(Tensor::from_vector({5}, {-1.0, 0.0, 3.0, -0.0, 1e-300}, DType::F64), true);
  const Var y = relu(x);
  CHECK(y.value().to_vector() == std::vector<double>{0.0, 0.0, 3.0, 0.0, 1e-300});
  backward(y, Tensor::from_vector({5}, {1, 2, 3, 4, 5}, DType::F64));
  CHECK(x.grad().to_vector() == std::vector<double>{0, 0, 3, 0, 5});
}
