// Central finite differences against the analytic backward of every differentiable op, in
// float64. Each op's output is reduced to a scalar by a random linear functional sum(out * R),
// and every input and parameter is perturbed (all elements of small tensors, a sample of large
// ones). Inputs that feed maxima (pooling, the attention's max descriptors) or relu's kink are
// drawn pairwise distinct, so no finite difference straddles a tie.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>

#include "engine/ops.h"
#include "tests/engine/gradcheck.h"
#include "tests/engine/random_tensors.h"
#include "tests/engine/test_ops.h"

using namespace braincam;
using namespace braincam::test;

namespace {

constexpr double kTolerance = 1e-6;

// Checks the gradients of every input of `op` through sum(op() * R), R uniform in [-1, 1).
void check_gradients(const std::function<Var()>& op, const std::vector<GradCheckInput>& inputs,
                     Rng& rng) {
  Shape out_shape;
  {
    NoGradScope no_grad;
    out_shape = op().value().shape();
  }
  const Tensor R = uniform(out_shape, -1, 1, rng);
  const GradCheckReport report = gradcheck([&] { return weighted_sum(op(), R); }, inputs);
  INFO(report.str());
  for (const auto& input : report.inputs) {
    INFO(input.name << " has an all-zero gradient: the check would be vacuous");
    CHECK(input.scale > 0);
  }
  CHECK(report.max_error() < kTolerance);
}

}  // namespace

TEST_CASE("conv5x5 gradients", "[gradients]") {
  struct Case {
    std::int64_t N, C, H, W, K;
  };
  for (const Case s : {Case{1, 3, 8, 8, 5}, Case{3, 3, 12, 20, 4}, Case{3, 2, 5, 7, 3}}) {
    DYNAMIC_SECTION("N" << s.N << " C" << s.C << " " << s.H << "x" << s.W << " K" << s.K) {
      Rng rng(s.N * 1000 + s.H * 10 + s.W);
      Var x(uniform({s.N, s.C, s.H, s.W}, -1, 1, rng)),
          w(uniform({s.K, s.C, 5, 5}, -0.5, 0.5, rng)), b(uniform({s.K}, -0.5, 0.5, rng));
      check_gradients([&] { return conv5x5(x, w, b); }, {{"x", x}, {"weight", w}, {"bias", b}},
                      rng);
    }
  }
  SECTION("input without a gradient (the model's first layer)") {
    Rng rng(7);
    Var x(uniform({2, 3, 8, 12}, 0, 1, rng)), w(uniform({4, 3, 5, 5}, -0.5, 0.5, rng)),
        b(uniform({4}, -0.5, 0.5, rng));
    check_gradients([&] { return conv5x5(x, w, b); }, {{"weight", w}, {"bias", b}}, rng);
    CHECK_FALSE(x.grad().defined());
  }
}

TEST_CASE("batchnorm_train gradients", "[gradients]") {
  struct Case {
    std::int64_t N, C, H, W;
  };
  for (const Case s : {Case{1, 3, 8, 8}, Case{3, 5, 12, 20}, Case{3, 2, 3, 5}}) {
    DYNAMIC_SECTION("N" << s.N << " C" << s.C << " " << s.H << "x" << s.W) {
      Rng rng(s.N * 1000 + s.H * 10 + s.W);
      Var x(uniform({s.N, s.C, s.H, s.W}, -1, 2, rng)), gamma(uniform({s.C}, 0.5, 1.5, rng)),
          beta(uniform({s.C}, -0.5, 0.5, rng));
      auto op = [&] {  // fresh running statistics, so that every evaluation is the same function
        return batchnorm_train(x, gamma, beta, Tensor::zeros({s.C}, DType::F64),
                               Tensor::full({s.C}, 1.0, DType::F64), 0.1, 1e-5);
      };
      check_gradients(op, {{"x", x}, {"weight", gamma}, {"bias", beta}}, rng);
    }
  }
}

TEST_CASE("relu gradients", "[gradients]") {
  for (const Shape& shape : {Shape{1, 3, 8, 8}, Shape{3, 3, 12, 20}}) {
    DYNAMIC_SECTION(shape_str(shape)) {
      Rng rng(shape[0] * 100 + shape[2]);
      Var x(distinct_uniform(shape, -1, 1, rng));
      for (double v : x.value().to_vector()) REQUIRE(std::abs(v) > 1e-4);  // no kink within reach
      check_gradients([&] { return relu(x); }, {{"x", x}}, rng);
    }
  }
}

TEST_CASE("maxpool4 gradients", "[gradients]") {
  for (const Shape& shape : {Shape{1, 3, 8, 8}, Shape{3, 3, 12, 20}, Shape{3, 2, 20, 12}}) {
    DYNAMIC_SECTION(shape_str(shape)) {
      Rng rng(shape[0] * 100 + shape[2]);
      Var x(distinct_uniform(shape, -1, 1, rng));
      check_gradients([&] { return maxpool4(x); }, {{"x", x}}, rng);
    }
  }
}

TEST_CASE("channel_attention gradients", "[gradients]") {
  struct Case {
    std::int64_t N, C, H, W, Ch;
  };
  for (const Case s : {Case{1, 8, 8, 8, 2}, Case{3, 16, 12, 20, 4}, Case{3, 3, 4, 8, 1}}) {
    DYNAMIC_SECTION("N" << s.N << " C" << s.C << " " << s.H << "x" << s.W << " Ch" << s.Ch) {
      Rng rng(s.N * 1000 + s.C * 10 + s.W);
      Var x(distinct_uniform({s.N, s.C, s.H, s.W}, -1, 2, rng));
      const Tensor guidance = random_distribution(s.N, (s.H / 4) * (s.W / 4), rng);
      // b1 > 0 keeps hidden units alive for some descriptors (a dead MLP has zero gradients).
      Var w1(uniform({s.Ch, s.C}, -0.5, 0.5, rng)), b1(uniform({s.Ch}, 0.3, 0.8, rng)),
          w2(uniform({s.C, s.Ch}, -0.8, 0.8, rng)), b2(uniform({s.C}, -0.3, 0.3, rng));
      check_gradients([&] { return channel_attention(x, guidance, w1, b1, w2, b2); },
                      {{"x", x},
                       {"mlp.0.weight", w1},
                       {"mlp.0.bias", b1},
                       {"mlp.2.weight", w2},
                       {"mlp.2.bias", b2}},
                      rng);
    }
  }
}

TEST_CASE("spatial_attention gradients", "[gradients]") {
  for (const Shape& shape : {Shape{1, 3, 8, 8}, Shape{3, 4, 12, 20}, Shape{3, 1, 5, 9}}) {
    DYNAMIC_SECTION(shape_str(shape)) {
      Rng rng(shape[0] * 100 + shape[1] * 10 + shape[2]);
      Var x(distinct_uniform(shape, -1, 2, rng)), w(uniform({1, 2, 7, 7}, -0.3, 0.3, rng));
      check_gradients([&] { return spatial_attention(x, w); }, {{"x", x}, {"weight", w}}, rng);
    }
  }
}

TEST_CASE("linear gradients", "[gradients]") {
  struct Case {
    Shape x;
    std::int64_t Out;
  };
  for (const Case& s : {Case{{1, 3, 4, 4}, 1}, Case{{3, 2, 5, 5}, 3}, Case{{3, 7}, 5}}) {
    DYNAMIC_SECTION(shape_str(s.x) << " -> " << s.Out) {
      Rng rng(s.x[0] * 100 + s.Out);
      const std::int64_t In = shape_numel(s.x) / s.x[0];
      Var x(uniform(s.x, -1, 1, rng)), w(uniform({s.Out, In}, -0.5, 0.5, rng)),
          b(uniform({s.Out}, -0.5, 0.5, rng));
      check_gradients([&] { return linear(x, w, b); }, {{"x", x}, {"weight", w}, {"bias", b}}, rng);
    }
  }
  SECTION("input without a gradient") {
    Rng rng(8);
    Var x(uniform({2, 6}, -1, 1, rng)), w(uniform({3, 6}, -0.5, 0.5, rng)),
        b(uniform({3}, -0.5, 0.5, rng));
    check_gradients([&] { return linear(x, w, b); }, {{"weight", w}, {"bias", b}}, rng);
    CHECK_FALSE(x.grad().defined());
  }
}

TEST_CASE("bce_with_logits gradients", "[gradients]") {
  Rng rng(9);
  SECTION("logits N, labels 0/1, moderate and saturated logits") {
    Var z(Tensor::from_vector({6}, {-0.7, 0.3, 2.5, -8.0, 30.0, -30.0}, DType::F64));
    const Tensor y = Tensor::from_vector({6}, {0, 1, 0, 1, 1, 0}, DType::F64);
    check_gradients([&] { return bce_with_logits(z, y); }, {{"z", z}}, rng);
  }
  SECTION("logits N x 1, batch 1") {
    Var z(Tensor::from_vector({1, 1}, {0.4}, DType::F64));
    const Tensor y = Tensor::from_vector({1}, {1}, DType::F64);
    check_gradients([&] { return bce_with_logits(z, y); }, {{"z", z}}, rng);
  }
  SECTION("logits N x 1, soft labels") {
    Var z(uniform({3, 1}, -3, 3, rng));
    const Tensor y = uniform({3}, 0, 1, rng);
    check_gradients([&] { return bce_with_logits(z, y); }, {{"z", z}}, rng);
  }
}

TEST_CASE("softmax_cross_entropy gradients", "[gradients]") {
  Rng rng(10);
  const auto classes = [](std::vector<double> y) {
    return Tensor::from_vector({static_cast<std::int64_t>(y.size())}, y, DType::I64);
  };
  SECTION("4 classes, moderate and saturated logits") {
    Var z(Tensor::from_vector(
        {3, 4}, {-0.7, 0.3, 2.5, -1.0, 30.0, -30.0, 0.0, 1.0, 0.2, 0.2, -0.4, 8.0}, DType::F64));
    const Tensor y = classes({2, 1, 3});
    check_gradients([&] { return softmax_cross_entropy(z, y); }, {{"z", z}}, rng);
  }
  SECTION("2 classes, batch 1") {
    Var z(uniform({1, 2}, -3, 3, rng));
    check_gradients([&] { return softmax_cross_entropy(z, classes({0})); }, {{"z", z}}, rng);
  }
  SECTION("7 classes") {
    Var z(uniform({5, 7}, -3, 3, rng));
    const Tensor y = classes({6, 0, 3, 3, 1});
    check_gradients([&] { return softmax_cross_entropy(z, y); }, {{"z", z}}, rng);
  }
}

TEST_CASE("softmax_cross_entropy refuses labels that are no class", "[gradients]") {
  const Var z(Tensor::zeros({2, 3}, DType::F64));
  const auto labels = [](std::vector<double> y, DType t) {
    return Tensor::from_vector({static_cast<std::int64_t>(y.size())}, y, t);
  };
  CHECK_THROWS_WITH(softmax_cross_entropy(z, labels({0, 3}, DType::I64)),
                    Catch::Contains("label 3 of image 1 is not a class of 3"));
  CHECK_THROWS_WITH(softmax_cross_entropy(z, labels({0, -1}, DType::I64)),
                    Catch::Contains("label -1"));
  CHECK_THROWS_WITH(softmax_cross_entropy(z, labels({0, 1}, DType::F64)),
                    Catch::Contains("I64 class indices"));
  CHECK_THROWS_WITH(softmax_cross_entropy(z, labels({0, 1, 2}, DType::I64)),
                    Catch::Contains("must be N x K and N"));
}
