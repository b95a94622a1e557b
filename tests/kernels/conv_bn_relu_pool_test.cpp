// The fused first layer on the emulator and the GPU (kernels/cuda/patch_statistics.cu,
// conv_bn_relu_pool.cu, through the engine's op) against the CPU reference composition
// maxpool4(relu(batchnorm(conv5x5(x)))): outputs, running statistics and gradients. And on every
// device, the statistics from cached per-image patch moments against those from the batch.
//
// The inputs are "8-bit" like tests/fast_cpu/conv_bn_relu_pool_test.cpp's: images k/256, conv
// weights and biases m/256, so every conv output is exact in float32 in any summation order and
// both sides pick the same pooling winners, exact ties included (the first maximum wins). What
// remains is the rounding of the batch statistics and of the gradient sums. Except
// check_continuous_inputs, which bounds the tensor-core convolution's error on continuous inputs.
// The tolerances are in kernels/bounds/conv_bn_relu_pool.h.
#include "kernels/bounds/conv_bn_relu_pool.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <random>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "tests/fast_cpu/tensor_compare.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

namespace bound = bounds::conv_bn_relu_pool;

struct LayerShape {
  int N, C, K, H, W;
};

Tensor eight_bit(Shape shape, int lo, int hi, std::mt19937& rng) {
  Tensor t(std::move(shape), DType::F32);
  std::uniform_int_distribution<int> k(lo, hi);
  for (std::int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = k(rng) / 256.0f;
  return t;
}

Tensor uniform(Shape shape, float lo, float hi, std::mt19937& rng) {
  Tensor t(std::move(shape), DType::F32);
  std::uniform_real_distribution<float> u(lo, hi);
  for (std::int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
  return t;
}

struct Layer {
  Tensor x, w, b, gamma, beta, running_mean, running_var, dF;
  Layer(const LayerShape& s, std::mt19937& rng)
      : x(eight_bit({s.N, s.C, s.H, s.W}, 0, 255, rng)),
        w(eight_bit({s.K, s.C, 5, 5}, -29, 29, rng)),
        b(eight_bit({s.K}, -29, 29, rng)),
        gamma(uniform({s.K}, 0.5f, 1.5f, rng)),
        beta(uniform({s.K}, -0.5f, 0.5f, rng)),
        running_mean(uniform({s.K}, -0.2f, 0.2f, rng)),
        running_var(uniform({s.K}, 0.5f, 2.0f, rng)),
        dF(uniform({s.N, s.K, s.H / 4, s.W / 4}, -1.0f, 1.0f, rng)) {}
};

struct Result {
  Tensor F, running_mean, running_var, dw, db, dgamma, dbeta;
};

// One pass on `device`: the fused op, or on the CPU the reference composition.
Result run(const Layer& l, Device device, bool training) {
  const bool fused = device != Device::CPU;
  Var x(l.x.to(device)), w(l.w.to(device).clone(), true), b(l.b.to(device).clone(), true),
      gamma(l.gamma.to(device).clone(), true), beta(l.beta.to(device).clone(), true);
  Result r{
      Tensor(), l.running_mean.to(device).clone(), l.running_var.to(device).clone(), {}, {}, {},
      {}};
  const double momentum = 0.1, eps = 1e-5;
  if (!training) {
    NoGradScope no_grad;
    r.F = (fused ? conv_bn_relu_pool(x, w, b, gamma, beta, r.running_mean, r.running_var, false,
                                     momentum, eps)
                 : maxpool4(relu(batchnorm_eval(conv5x5(x, w, b), gamma, beta, r.running_mean,
                                                r.running_var, eps))))
              .value();
  } else {
    const Var F = fused
                      ? conv_bn_relu_pool(x, w, b, gamma, beta, r.running_mean, r.running_var, true,
                                          momentum, eps)
                      : maxpool4(relu(batchnorm_train(conv5x5(x, w, b), gamma, beta, r.running_mean,
                                                      r.running_var, momentum, eps)));
    backward(F, l.dF.to(device));
    r.F = F.value();
    r.dw = w.grad();
    r.db = b.grad();
    r.dgamma = gamma.grad();
    r.dbeta = beta.grad();
  }
  for (Tensor* t : {&r.F, &r.running_mean, &r.running_var, &r.dw, &r.db, &r.dgamma, &r.dbeta})
    if (t->defined()) *t = t->to(Device::CPU);
  return r;
}

void check_layer(Device device) {
  // The last: 18 x 18 = 324 pooled windows, more than the backward's 256 threads take at once.
  for (const LayerShape s : {LayerShape{1, 3, 16, 16, 16}, LayerShape{2, 3, 5, 32, 48},
                             LayerShape{1, 3, 32, 20, 28}, LayerShape{1, 3, 4, 72, 72}}) {
    INFO(s.N << "x" << s.C << "x" << s.H << "x" << s.W << ", " << s.K << " channels");
    std::mt19937 rng(s.N * 1000 + s.K * 10 + s.H);
    const Layer layer(s, rng);
    const Result ref = run(layer, Device::CPU, true), got = run(layer, device, true);
    CHECK(max_abs_diff(got.F, ref.F) <= bound::kTestOutput * std::max(1.0, max_abs(ref.F)));
    CHECK(max_abs_diff(got.running_mean, ref.running_mean) <= bound::kTestRunningStatistic);
    CHECK(max_abs_diff(got.running_var, ref.running_var) <=
          bound::kTestRunningStatistic * max_abs(ref.running_var));
    CHECK(max_abs_diff(got.dw, ref.dw) <= bound::kTestGradient * max_abs(ref.dw));
    CHECK(max_abs_diff(got.dgamma, ref.dgamma) <= bound::kTestGradient * max_abs(ref.dgamma));
    CHECK(max_abs_diff(got.dbeta, ref.dbeta) <= bound::kTestGradient * max_abs(ref.dbeta));
    // 0 in exact arithmetic: compared on the scale of the weight gradient.
    CHECK(max_abs_diff(got.db, ref.db) <= bound::kTestGradient * max_abs(ref.dw));

    const Result ref_eval = run(layer, Device::CPU, false), got_eval = run(layer, device, false);
    CHECK(max_abs_diff(got_eval.F, ref_eval.F) <=
          bound::kTestOutput * std::max(1.0, max_abs(ref_eval.F)));
    CHECK(bitwise_equal(got_eval.running_var, layer.running_var));

    // Fixed summation orders: a second run gives the same bits.
    const Result again = run(layer, device, true);
    CHECK(bitwise_equal(again.F, got.F));
    CHECK(bitwise_equal(again.dw, got.dw));
    CHECK(bitwise_equal(again.running_var, got.running_var));
  }
}

TEST_CASE("fused conv-batchnorm-relu-pool: the emulator matches the CPU reference",
          "[conv_bn_relu_pool][emulator]") {
  check_layer(Device::Emulator);
}

TEST_CASE("fused conv-batchnorm-relu-pool: the emulator refuses to train on other than 3 channels",
          "[conv_bn_relu_pool][emulator]") {
  std::mt19937 rng(4);
  const Layer layer({1, 2, 4, 16, 16}, rng);
  const Device d = Device::Emulator;
  Var w(layer.w.to(d), true), b(layer.b.to(d), true), gamma(layer.gamma.to(d), true),
      beta(layer.beta.to(d), true);
  Tensor rm = layer.running_mean.to(d).clone(), rv = layer.running_var.to(d).clone();
  CHECK_THROWS_AS(conv_bn_relu_pool(Var(layer.x.to(d)), w, b, gamma, beta, rm, rv, true, 0.1, 1e-5),
                  std::invalid_argument);
  NoGradScope no_grad;  // without a backward, any channel count
  CHECK(conv_bn_relu_pool(Var(layer.x.to(d)), w, b, gamma, beta, rm, rv, true, 0.1, 1e-5)
            .value()
            .dim(1) == 4);
}

// A batch drawn from stored images: the statistics merged from the set's cached per-image patch
// moments give the same bits as those computed from the batch (the per-image sums are the same
// kernels on the same values), so the output, running statistics and gradients are identical.
void check_cached_moments(Device device) {
  // 33 images: the cache is computed 32 at a time, and the batch takes images of both chunks.
  constexpr int M = 33, H = 8, W = 16, K = 8;
  std::mt19937 rng(12);
  Tensor stored({M, H, W, 3}, DType::U8);
  std::uniform_int_distribution<int> byte(0, 255);
  for (std::int64_t i = 0; i < stored.numel(); ++i)
    stored.data<std::uint8_t>()[i] = static_cast<std::uint8_t>(byte(rng));
  stored = stored.to(device);
  // Shuffled, one image twice.
  const Tensor index = Tensor::from_vector({3}, {32, 0, 32}, DType::I32).to(device);
  const PatchMomentCache cache = patch_moment_cache(stored);
  const Layer layer({3, 3, K, H, W}, rng);
  const Tensor x = gather_images(stored, index);

  auto pass = [&](const CachedPatchMoments* cached) {
    Var w(layer.w.to(device), true), b(layer.b.to(device), true),
        gamma(layer.gamma.to(device), true), beta(layer.beta.to(device), true);
    Result r{Tensor(),
             layer.running_mean.to(device).clone(),
             layer.running_var.to(device).clone(),
             {},
             {},
             {},
             {}};
    const Var F = conv_bn_relu_pool(Var(x), w, b, gamma, beta, r.running_mean, r.running_var, true,
                                    0.1, 1e-5, cached);
    backward(F, layer.dF.to(device));
    r.F = F.value();
    r.dw = w.grad();
    r.dgamma = gamma.grad();
    r.dbeta = beta.grad();
    for (Tensor* t : {&r.F, &r.running_mean, &r.running_var, &r.dw, &r.dgamma, &r.dbeta})
      *t = t->to(Device::CPU);
    return r;
  };
  const CachedPatchMoments cached{cache, index};
  const Result direct = pass(nullptr), from_cache = pass(&cached);
  CHECK(bitwise_equal(from_cache.F, direct.F));
  CHECK(bitwise_equal(from_cache.running_mean, direct.running_mean));
  CHECK(bitwise_equal(from_cache.running_var, direct.running_var));
  CHECK(bitwise_equal(from_cache.dw, direct.dw));
  CHECK(bitwise_equal(from_cache.dgamma, direct.dgamma));
  CHECK(bitwise_equal(from_cache.dbeta, direct.dbeta));

  // The cache is what the statistics come from: entries of other images give other ones.
  const CachedPatchMoments other_images{cache,
                                        Tensor::from_vector({3}, {1, 2, 3}, DType::I32).to(device)};
  CHECK_FALSE(bitwise_equal(pass(&other_images).running_mean, direct.running_mean));

  const CachedPatchMoments too_short{cache,
                                     Tensor::from_vector({2}, {32, 0}, DType::I32).to(device)},
      host_index{cache, Tensor::from_vector({3}, {32, 0, 32}, DType::I32)};
  CHECK_THROWS_AS(pass(&too_short), std::invalid_argument);
  if (device != Device::CPU) CHECK_THROWS_AS(pass(&host_index), std::invalid_argument);
}

TEST_CASE("fused conv-batchnorm-relu-pool: cached patch moments give the same bits on the emulator",
          "[conv_bn_relu_pool][emulator]") {
  check_cached_moments(Device::Emulator);
}

TEST_CASE("fused conv-batchnorm-relu-pool: cached patch moments give the same bits on the CPU",
          "[conv_bn_relu_pool][cpu]") {
  check_cached_moments(Device::CPU);
  // The host checks the entries: one past the cache's 33 images.
  const PatchMomentCache cache = patch_moment_cache(Tensor::zeros({33, 8, 16, 3}, DType::U8));
  const CachedPatchMoments past_the_end{cache, Tensor::from_vector({1}, {33}, DType::I32)};
  std::mt19937 rng(3);
  const Layer layer({1, 3, 4, 8, 16}, rng);
  Tensor rm = layer.running_mean.clone(), rv = layer.running_var.clone();
  CHECK_THROWS_AS(conv_bn_relu_pool(Var(layer.x), Var(layer.w), Var(layer.b), Var(layer.gamma),
                                    Var(layer.beta), rm, rv, true, 0.1, 1e-5, &past_the_end),
                  std::out_of_range);
}

// Continuous inputs, whose products TF32 alone would round to 2^-11 of themselves: the tensor-core
// convolution splits each float into two TF32 halves and stays close to float accuracy (3xTF32).
// Checked in evaluation mode, where both sides take the same running statistics, against the
// textbook bound of a float sum of its n = 25 C + 1 terms (the products and the bias),
// n u sum |terms| (bound::continuous_output), on the scale of the channel's batchnorm: plain
// TF32 misses it seven to thirteen times over, 3xTF32 keeps within a thirtieth of it in the
// emulator. The pooled
// maximum is a continuous function of the convolution's outputs, so a winner that a near-tie
// sends the other way moves F by no more than the outputs' error. 5 input channels: the kernel
// takes them 3 at a time. 20 output channels: the second block of 16 is partly empty.
void check_continuous_inputs(Device device) {
  for (const LayerShape s : {LayerShape{2, 3, 32, 24, 40}, LayerShape{1, 5, 20, 20, 36}}) {
    INFO(s.N << "x" << s.C << "x" << s.H << "x" << s.W << ", " << s.K << " channels");
    std::mt19937 rng(s.C * 100 + s.K);
    Layer layer(s, rng);
    layer.x = uniform({s.N, s.C, s.H, s.W}, 0.0f, 1.0f, rng);
    layer.w = uniform({s.K, s.C, 5, 5}, -0.2f, 0.2f, rng);
    layer.b = uniform({s.K}, -0.1f, 0.1f, rng);
    const Result ref = run(layer, Device::CPU, false), got = run(layer, device, false);

    const double x_max = max_abs(layer.x);
    const int taps = s.C * 25;
    double textbook_bound = 0.0;
    for (int k = 0; k < s.K; ++k) {
      double terms = std::fabs(layer.b.data<float>()[k]);
      for (int i = 0; i < taps; ++i)
        terms += std::fabs(layer.w.data<float>()[k * taps + i]) * x_max;
      const double scale =
          layer.gamma.data<float>()[k] / std::sqrt(layer.running_var.data<float>()[k] + 1e-5);
      textbook_bound = std::max(textbook_bound, bound::continuous_output(taps, scale, terms));
    }
    const double error = max_abs_diff(got.F, ref.F);
    INFO("largest difference " << error << ", bound " << textbook_bound);
    CHECK(error <= textbook_bound);
  }
}

TEST_CASE("fused conv-batchnorm-relu-pool: the emulator keeps within a float sum's error bound",
          "[conv_bn_relu_pool][emulator]") {
  check_continuous_inputs(Device::Emulator);
}

TEST_CASE("fused conv-batchnorm-relu-pool: the GPU matches the CPU reference",
          "[conv_bn_relu_pool][gpu]") {
  on_gpu([]<class>() {
    check_layer(Device::CUDA);
    check_cached_moments(Device::CUDA);
    check_continuous_inputs(Device::CUDA);
  });
}

}  // namespace
}  // namespace braincam::test
