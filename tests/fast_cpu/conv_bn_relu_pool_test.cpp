// The fused first layer of the fast CPU path against the reference composition
// maxpool4(relu(batchnorm(conv5x5(x)))): outputs, running statistics and gradients.
//
// Most cases use "8-bit" inputs: images k/256 and conv weights and biases m/256 with small m.
// Every conv output is then a multiple of 1/65536 below 2^24 of them, exact in float32 whatever
// the summation order, so both paths see the same h and pick the same pooling winners, exact ties
// included (they are common and exercise the first-maximum rule). What remains is float32
// rounding of the batch statistics and of the sums in the gradients, hence the tolerances below.
// One case with continuous inputs checks the same in aggregate, where near-ties may be resolved
// differently by the two summation orders.
#include <omp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "engine/ops.h"
#include "kernels/cpu_fast/conv_bn_relu_pool_forward.h"
#include "kernels/cpu_fast/padded_images.h"
#include "tests/fast_cpu/tensor_compare.h"

using namespace braincam;
using test::bitwise_equal;
using test::max_abs;
using test::max_abs_diff;

namespace {

using Rng = std::mt19937_64;

struct Shape5 {
  int N, C, K, H, W;
};

// Values k / denominator, k uniform in [lo, hi]; or, with denominator 0, uniform in [lo, hi].
Tensor random_values(Shape shape, double lo, double hi, int denominator, Rng& rng) {
  Tensor t(std::move(shape), DType::F32);
  float* p = t.data<float>();
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    if (denominator) {
      std::uniform_int_distribution<int> k(static_cast<int>(lo), static_cast<int>(hi));
      p[i] = static_cast<float>(k(rng)) / static_cast<float>(denominator);
    } else {
      p[i] = std::uniform_real_distribution<float>(static_cast<float>(lo),
                                                   static_cast<float>(hi))(rng);
    }
  }
  return t;
}

struct Layer {
  Tensor x, w, b, gamma, beta, running_mean, running_var;

  Layer(const Shape5& s, bool eight_bit, Rng& rng) {
    const int q = eight_bit ? 256 : 0;  // conv weights stay within PyTorch's +-1/sqrt(75)
    x = random_values({s.N, s.C, s.H, s.W}, 0, eight_bit ? 255 : 1, q, rng);
    w = random_values({s.K, s.C, 5, 5}, eight_bit ? -29 : -0.115, eight_bit ? 29 : 0.115, q, rng);
    b = random_values({s.K}, eight_bit ? -29 : -0.115, eight_bit ? 29 : 0.115, q, rng);
    gamma = random_values({s.K}, 0.5, 1.5, 0, rng);
    beta = random_values({s.K}, -0.5, 0.5, 0, rng);
    running_mean = random_values({s.K}, -0.2, 0.2, 0, rng);
    running_var = random_values({s.K}, 0.5, 2.0, 0, rng);
  }
};

struct Result {
  Tensor F, running_mean, running_var, dw, db, dgamma, dbeta;
};

// One training (with backward from dF) or evaluation pass on copies of the layer's tensors.
Result run(const Layer& layer, bool fused, bool training, const Tensor& dF) {
  Var x(layer.x), w(layer.w.clone(), true), b(layer.b.clone(), true),
      gamma(layer.gamma.clone(), true), beta(layer.beta.clone(), true);
  Result r{Tensor(), layer.running_mean.clone(), layer.running_var.clone(), {}, {}, {}, {}};
  const double momentum = 0.1, eps = 1e-5;
  if (!training) {
    NoGradScope no_grad;
    r.F = fused ? conv_bn_relu_pool(x, w, b, gamma, beta, r.running_mean, r.running_var, false,
                                    momentum, eps)
                      .value()
                : maxpool4(relu(batchnorm_eval(conv5x5(x, w, b), gamma, beta, r.running_mean,
                                               r.running_var, eps)))
                      .value();
    return r;
  }
  const Var F = fused ? conv_bn_relu_pool(x, w, b, gamma, beta, r.running_mean, r.running_var, true,
                                          momentum, eps)
                      : maxpool4(relu(batchnorm_train(conv5x5(x, w, b), gamma, beta, r.running_mean,
                                                      r.running_var, momentum, eps)));
  backward(F, dF);
  r.F = F.value();
  r.dw = w.grad();
  r.db = b.grad();
  r.dgamma = gamma.grad();
  r.dbeta = beta.grad();
  return r;
}

double relative_norm_diff(const Tensor& a, const Tensor& b) {
  const auto va = a.to_vector(), vb = b.to_vector();
  double diff = 0, ref = 0;
  for (std::size_t i = 0; i < va.size(); ++i) {
    diff += (va[i] - vb[i]) * (va[i] - vb[i]);
    ref += vb[i] * vb[i];
  }
  return std::sqrt(diff / ref);
}

Tensor output_gradient(const Shape5& s, Rng& rng) {
  return random_values({s.N, s.K, s.H / 4, s.W / 4}, -1, 1, 0, rng);
}

}  // namespace

TEST_CASE("fused conv-batchnorm-relu-pool matches the reference in training, 8-bit inputs") {
  for (const Shape5 s : {Shape5{1, 3, 32, 16, 16}, Shape5{2, 3, 5, 32, 48}, Shape5{3, 1, 7, 48, 32},
                         Shape5{2, 2, 3, 16, 64}, Shape5{2, 3, 32, 240, 240}}) {
    DYNAMIC_SECTION(s.N << "x" << s.C << "x" << s.H << "x" << s.W << ", " << s.K << " channels") {
      Rng rng(s.N * 1000 + s.K * 10 + s.H);
      const Layer layer(s, /*eight_bit=*/true, rng);
      const Tensor dF = output_gradient(s, rng);
      const Result ref = run(layer, false, true, dF), fast = run(layer, true, true, dF);
      // F is O(1); y differs by the rounding of the batch statistics (relative ~1e-6).
      CHECK(max_abs_diff(fast.F, ref.F) <= 1e-5 * std::max(1.0, max_abs(ref.F)));
      CHECK(max_abs_diff(fast.running_mean, ref.running_mean) <= 1e-6);
      CHECK(max_abs_diff(fast.running_var, ref.running_var) <= 1e-6 * max_abs(ref.running_var));
      // Gradients: the reference sums float products over up to 115200 positions per channel.
      CHECK(max_abs_diff(fast.dw, ref.dw) <= 1e-4 * max_abs(ref.dw));
      CHECK(max_abs_diff(fast.dgamma, ref.dgamma) <= 1e-4 * max_abs(ref.dgamma));
      CHECK(max_abs_diff(fast.dbeta, ref.dbeta) <= 1e-4 * max_abs(ref.dbeta));
      // The bias gradient is 0 in exact arithmetic: compared on the scale of the weight gradient.
      CHECK(max_abs_diff(fast.db, ref.db) <= 1e-4 * max_abs(ref.dw));
    }
  }
}

TEST_CASE("fused conv-batchnorm-relu-pool matches the reference in training, continuous inputs") {
  const Shape5 s{2, 3, 32, 240, 240};
  Rng rng(7);
  const Layer layer(s, /*eight_bit=*/false, rng);
  const Tensor dF = output_gradient(s, rng);
  const Result ref = run(layer, false, true, dF), fast = run(layer, true, true, dF);
  CHECK(max_abs_diff(fast.F, ref.F) <= 1e-5 * std::max(1.0, max_abs(ref.F)));
  CHECK(max_abs_diff(fast.running_var, ref.running_var) <= 1e-6 * max_abs(ref.running_var));
  // A near-tie in a window may go to a different winner: aggregate errors, not elementwise.
  CHECK(relative_norm_diff(fast.dw, ref.dw) <= 1e-4);
  CHECK(relative_norm_diff(fast.dgamma, ref.dgamma) <= 1e-4);
  CHECK(relative_norm_diff(fast.dbeta, ref.dbeta) <= 1e-4);
}

TEST_CASE("fused conv-batchnorm-relu-pool matches the reference in evaluation mode") {
  for (const Shape5 s :
       {Shape5{1, 3, 32, 16, 16}, Shape5{3, 1, 7, 48, 32}, Shape5{2, 3, 32, 240, 240}}) {
    DYNAMIC_SECTION(s.N << "x" << s.C << "x" << s.H << "x" << s.W << ", " << s.K << " channels") {
      Rng rng(s.K + s.H);
      const Layer layer(s, /*eight_bit=*/true, rng);
      const Result ref = run(layer, false, false, Tensor()),
                   fast = run(layer, true, false, Tensor());
      CHECK(max_abs_diff(fast.F, ref.F) <= 1e-5 * std::max(1.0, max_abs(ref.F)));
      CHECK(bitwise_equal(fast.running_mean, layer.running_mean));
      CHECK(bitwise_equal(fast.running_var, layer.running_var));
    }
  }
}

TEST_CASE("fused conv-batchnorm-relu-pool gives the same bits for any number of threads") {
  const Shape5 s{5, 3, 32, 32, 48};
  Rng rng(3);
  const Layer layer(s, /*eight_bit=*/false, rng);
  const Tensor dF = output_gradient(s, rng);
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const Result one = run(layer, true, true, dF);
  omp_set_num_threads(3);
  const Result three = run(layer, true, true, dF);
  omp_set_num_threads(threads);
  CHECK(bitwise_equal(one.F, three.F));
  CHECK(bitwise_equal(one.running_var, three.running_var));
  CHECK(bitwise_equal(one.dw, three.dw));
  CHECK(bitwise_equal(one.dgamma, three.dgamma));
  CHECK(bitwise_equal(one.dbeta, three.dbeta));
}

TEST_CASE("the AVX2 and AVX-512 forward kernels give the same bits") {
  if (cpu_fast::best_simd_width() != cpu_fast::SimdWidth::Avx512) {
    WARN("this CPU has no AVX-512: only the AVX2 kernel exists here");
    return;
  }
  const int N = 2, C = 3, H = 32, W = 48, K = 7;
  Rng rng(5);
  const Tensor x = random_values({N, C, H, W}, 0, 1, 0, rng),
               w = random_values({K, C, 5, 5}, -0.2, 0.2, 0, rng),
               b = random_values({K}, -0.2, 0.2, 0, rng), scale = random_values({K}, -2, 2, 0, rng),
               shift = random_values({K}, -0.5, 0.5, 0, rng);
  Tensor xp({N, C, cpu_fast::padded_rows(H), cpu_fast::padded_cols(W)}, DType::F32);
  cpu_fast::pad_images(xp.data<float>(), x.data<float>(), N, C, H, W);
  Tensor F[2], h_winner[2];
  std::vector<std::uint8_t> winner[2];
  for (int i = 0; i < 2; ++i) {
    F[i] = Tensor({N, K, H / 4, W / 4}, DType::F32);
    h_winner[i] = Tensor(F[i].shape(), DType::F32);
    winner[i].resize(F[i].numel());
    cpu_fast::conv_bn_relu_pool_forward(
        F[i].data<float>(), winner[i].data(), h_winner[i].data<float>(), xp.data<float>(),
        w.data<float>(), b.data<float>(), scale.data<float>(), shift.data<float>(), N, C, H, W, K,
        i ? cpu_fast::SimdWidth::Avx512 : cpu_fast::SimdWidth::Avx2);
  }
  CHECK(bitwise_equal(F[0], F[1]));
  CHECK(bitwise_equal(h_winner[0], h_winner[1]));
  CHECK(winner[0] == winner[1]);
}

TEST_CASE("fused conv-batchnorm-relu-pool refuses what it cannot differentiate") {
  const Shape5 s{1, 3, 4, 16, 16};
  Rng rng(9);
  const Layer layer(s, true, rng);
  Var w(layer.w, true), b(layer.b, true), gamma(layer.gamma, true), beta(layer.beta, true);
  Tensor rm = layer.running_mean.clone(), rv = layer.running_var.clone();
  CHECK_THROWS_AS(conv_bn_relu_pool(Var(layer.x, true), w, b, gamma, beta, rm, rv, true, 0.1, 1e-5),
                  std::logic_error);
  CHECK_THROWS_AS(conv_bn_relu_pool(Var(layer.x), w, b, gamma, beta, rm, rv, false, 0.1, 1e-5),
                  std::logic_error);
  CHECK_THROWS_AS(conv_bn_relu_pool(Var(layer.x.to(DType::F64)), Var(layer.w.to(DType::F64)),
                                    Var(layer.b.to(DType::F64)), Var(layer.gamma.to(DType::F64)),
                                    Var(layer.beta.to(DType::F64)), rm.to(DType::F64),
                                    rv.to(DType::F64), true, 0.1, 1e-5),
                  std::invalid_argument);
}

TEST_CASE("batch statistics of a batch of no images are refused, not computed") {
  const Shape5 s{0, 3, 4, 16, 16};
  Rng rng(3);
  const Layer layer(s, true, rng);
  Tensor rm = layer.running_mean.clone(), rv = layer.running_var.clone();
  CHECK_THROWS_WITH(conv_bn_relu_pool(Var(layer.x), Var(layer.w), Var(layer.b), Var(layer.gamma),
                                      Var(layer.beta), rm, rv, true, 0.1, 1e-5),
                    Catch::Contains("no images"));
  CHECK_THROWS_WITH(batchnorm_train(Var(Tensor::zeros({0, 4, 16, 16}, DType::F32)),
                                    Var(layer.gamma), Var(layer.beta), rm, rv, 0.1, 1e-5),
                    Catch::Contains("empty batch"));
}
