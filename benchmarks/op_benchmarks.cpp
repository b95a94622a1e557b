// Per-op timings (Google Benchmark) of the model's layers at 240 x 240 with 32 channels: the
// gathering of a batch from stored images, the reference 5x5 convolution, the fast path's fused
// first layer (patch statistics, from the images or from cached per-image moments, forward,
// backward) and the attention ops that both paths share. The argument is the batch; counters
// give images/s and, for the convolution, GFLOP/s of its nominal 2*75*32*240*240 flops per image.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/cpu/channel_attention.h"
#include "kernels/cpu/conv5x5.h"
#include "kernels/cpu/gather_images.h"
#include "kernels/cpu/spatial_attention.h"
#include "kernels/cpu_fast/conv_bn_relu_pool_backward.h"
#include "kernels/cpu_fast/conv_bn_relu_pool_forward.h"
#include "kernels/cpu_fast/padded_images.h"
#include "kernels/cpu_fast/patch_statistics.h"

namespace {

using namespace braincam;

constexpr int kC = 3, kK = 32, kH = 240, kW = 240, kP = kC * 25, kHo = kH / 4, kWo = kW / 4;
constexpr double kConvFlopsPerImage = 2.0 * kP * kK * kH * kW;

std::vector<float> random_floats(std::size_t n, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

void set_counters(benchmark::State& state, int N, double flops_per_image) {
  state.counters["images/s"] =
      benchmark::Counter(static_cast<double>(N) * state.iterations(), benchmark::Counter::kIsRate);
  if (flops_per_image > 0)
    state.counters["GFLOP/s"] = benchmark::Counter(flops_per_image * 1e-9 * N * state.iterations(),
                                                   benchmark::Counter::kIsRate);
}

// The images, their padded copy and the first layer's parameters, for a batch of N.
struct FirstLayer {
  int N;
  std::vector<float> x, xp, w, b, scale, shift, gamma;
  explicit FirstLayer(int n)
      : N(n),
        x(random_floats(static_cast<std::size_t>(n) * kC * kH * kW, 0, 1, 1)),
        xp(static_cast<std::size_t>(n) * kC * cpu_fast::padded_rows(kH) *
           cpu_fast::padded_cols(kW)),
        w(random_floats(kK * kP, -0.115f, 0.115f, 2)),
        b(random_floats(kK, -0.1f, 0.1f, 3)),
        scale(random_floats(kK, 1, 6, 4)),
        shift(random_floats(kK, -1, 1, 5)),
        gamma(kK, 1.0f) {
    cpu_fast::pad_images(xp.data(), x.data(), N, kC, kH, kW);
  }
};

// A batch of N of 64 stored uint8 images (HWC, as the dataset cache keeps them) turned into NCHW
// floats, as each training step on an ImageSet does.
void BM_GatherImages(benchmark::State& state) {
  const int N = static_cast<int>(state.range(0)), M = 64;
  std::mt19937 rng(7);
  std::vector<std::uint8_t> images(static_cast<std::size_t>(M) * kH * kW * kC);
  for (std::uint8_t& v : images) v = static_cast<std::uint8_t>(rng());
  std::vector<std::int32_t> index(N);
  for (int i = 0; i < N; ++i) index[i] = (i * 37) % M;
  std::vector<float> x(static_cast<std::size_t>(N) * kC * kH * kW);
  for (auto _ : state) cpu::gather_images(x.data(), images.data(), index.data(), N, kC, kH, kW);
  set_counters(state, N, 0);
}

void BM_Conv5x5ReferenceForward(benchmark::State& state) {
  const int N = static_cast<int>(state.range(0));
  FirstLayer l(N);
  std::vector<float> y(static_cast<std::size_t>(N) * kK * kH * kW);
  for (auto _ : state)
    cpu::conv5x5_forward<float>(y.data(), l.x.data(), l.w.data(), l.b.data(), N, kC, kH, kW, kK);
  set_counters(state, N, kConvFlopsPerImage);
}

void BM_Conv5x5ReferenceWeightGradient(benchmark::State& state) {
  const int N = static_cast<int>(state.range(0));
  FirstLayer l(N);
  const std::vector<float> dy = random_floats(static_cast<std::size_t>(N) * kK * kH * kW, -1, 1, 6);
  std::vector<float> dw(kK * kP), db(kK);
  for (auto _ : state)
    cpu::conv5x5_backward<float>(nullptr, dw.data(), db.data(), dy.data(), l.x.data(), l.w.data(),
                                 N, kC, kH, kW, kK);
  set_counters(state, N, kConvFlopsPerImage);
}

void BM_PadImages(benchmark::State& state) {
  const int N = static_cast<int>(state.range(0));
  FirstLayer l(N);
  for (auto _ : state) cpu_fast::pad_images(l.xp.data(), l.x.data(), N, kC, kH, kW);
  set_counters(state, N, 0);
}

void BM_PatchStatistics(benchmark::State& state) {
  const int N = static_cast<int>(state.range(0));
  FirstLayer l(N);
  std::vector<double> mean(kP), cov(kP * kP);
  for (auto _ : state)
    cpu_fast::patch_statistics(mean.data(), cov.data(), l.x.data(), N, kC, kH, kW);
  set_counters(state, N, 0);
}

// What a training step on cached per-image moments does instead of BM_PatchStatistics: a batch
// of random entries of a cache of the trainer's 1,445 images (66 MB, mostly outside the caches),
// all made from the same batch of images.
void BM_CombinePatchMoments(benchmark::State& state) {
  const int N = static_cast<int>(state.range(0)), M = 1445;
  const long per_image = kP * kP + kP;
  FirstLayer l(N);
  std::vector<double> moments(M * per_image), mean(kP), cov(kP * kP);
  std::vector<float> shift(static_cast<std::size_t>(M) * kC);
  cpu_fast::image_patch_moments(moments.data(), shift.data(), l.x.data(), N, kC, kH, kW);
  for (int m = N; m < M; ++m) {
    std::copy_n(moments.data() + (m % N) * per_image, per_image, moments.data() + m * per_image);
    std::copy_n(shift.data() + (m % N) * kC, kC, shift.data() + m * kC);
  }
  std::mt19937 rng(8);
  std::vector<std::int32_t> index(N);
  for (auto _ : state) {
    state.PauseTiming();
    for (std::int32_t& e : index) e = static_cast<std::int32_t>(rng() % M);
    state.ResumeTiming();
    cpu_fast::combine_patch_moments(mean.data(), cov.data(), moments.data(), shift.data(),
                                    index.data(), N, kC, kH, kW);
  }
  set_counters(state, N, 0);
}

// state.range(1): 1 keeps the winners (training), 0 does not (inference). Runs with the widest
// vectors of the CPU, or with AVX2 as on machines without AVX-512.
template <bool kAvx2>
void BM_FusedForward(benchmark::State& state) {
  const int N = static_cast<int>(state.range(0));
  const bool winners = state.range(1) != 0;
  FirstLayer l(N);
  const std::size_t pooled = static_cast<std::size_t>(N) * kK * kHo * kWo;
  std::vector<float> F(pooled), h_winner(winners ? pooled : 0);
  std::vector<std::uint8_t> winner(winners ? pooled : 0);
  for (auto _ : state)
    cpu_fast::conv_bn_relu_pool_forward(
        F.data(), winners ? winner.data() : nullptr, winners ? h_winner.data() : nullptr,
        l.xp.data(), l.w.data(), l.b.data(), l.scale.data(), l.shift.data(), N, kC, kH, kW, kK,
        kAvx2 ? cpu_fast::SimdWidth::Avx2 : cpu_fast::best_simd_width());
  set_counters(state, N, kConvFlopsPerImage);
}

void BM_FusedBackward(benchmark::State& state) {
  const int N = static_cast<int>(state.range(0));
  FirstLayer l(N);
  const std::size_t pooled = static_cast<std::size_t>(N) * kK * kHo * kWo;
  std::vector<float> F(pooled), h_winner(pooled);
  std::vector<std::uint8_t> winner(pooled);
  cpu_fast::conv_bn_relu_pool_forward(F.data(), winner.data(), h_winner.data(), l.xp.data(),
                                      l.w.data(), l.b.data(), l.scale.data(), l.shift.data(), N, kC,
                                      kH, kW, kK);
  std::vector<double> patch_mean(kP), patch_cov(kP * kP), mean(kK), var(kK);
  cpu_fast::patch_statistics(patch_mean.data(), patch_cov.data(), l.x.data(), N, kC, kH, kW);
  cpu_fast::channel_statistics(mean.data(), var.data(), patch_mean.data(), patch_cov.data(),
                               l.w.data(), l.b.data(), kK, kP);
  const std::vector<float> dF = random_floats(pooled, -1, 1, 7);
  std::vector<float> dw(kK * kP), db(kK), dgamma(kK), dbeta(kK);
  for (auto _ : state)
    cpu_fast::conv_bn_relu_pool_backward(
        dw.data(), db.data(), dgamma.data(), dbeta.data(), dF.data(), F.data(), winner.data(),
        h_winner.data(), l.xp.data(), l.w.data(), l.gamma.data(), mean.data(), var.data(),
        patch_mean.data(), patch_cov.data(), N, kC, kH, kW, kK, 1e-5);
  // Its work replaces the weight gradient's nominal flops.
  set_counters(state, N, kConvFlopsPerImage);
}

// The attention ops on F (N x 32 x 60 x 60), forward and backward.
void BM_ChannelAttention(benchmark::State& state) {
  const int N = static_cast<int>(state.range(0)), Ch = kK / 8;
  const std::size_t size = static_cast<std::size_t>(N) * kK * kHo * kWo;
  const std::vector<float> x = random_floats(size, 0, 2, 8), dy = random_floats(size, -1, 1, 9),
                           s(static_cast<std::size_t>(N) * 225, 1.0f / 225),
                           w1 = random_floats(Ch * kK, -0.2f, 0.2f, 10), b1(Ch, 0.0f),
                           w2 = random_floats(kK * Ch, -0.5f, 0.5f, 11), b2(kK, 0.0f);
  std::vector<float> y(size), dx(size), gate(N * kK), desc(3 * N * kK), hidden(3 * N * Ch),
      dw1(Ch * kK), db1(Ch), dw2(kK * Ch), db2(kK);
  std::vector<std::int32_t> max_index(N * kK);
  for (auto _ : state) {
    cpu::channel_attention_forward<float>(y.data(), gate.data(), desc.data(), max_index.data(),
                                          hidden.data(), x.data(), s.data(), w1.data(), b1.data(),
                                          w2.data(), b2.data(), N, kK, kHo, kWo, Ch);
    cpu::channel_attention_backward<float>(dx.data(), dw1.data(), db1.data(), dw2.data(),
                                           db2.data(), dy.data(), x.data(), s.data(), gate.data(),
                                           desc.data(), max_index.data(), hidden.data(), w1.data(),
                                           w2.data(), N, kK, kHo, kWo, Ch);
  }
  set_counters(state, N, 0);
}

void BM_SpatialAttention(benchmark::State& state) {
  const int N = static_cast<int>(state.range(0));
  const std::size_t size = static_cast<std::size_t>(N) * kK * kHo * kWo,
                    plane = static_cast<std::size_t>(N) * kHo * kWo;
  const std::vector<float> x = random_floats(size, 0, 2, 12), dy = random_floats(size, -1, 1, 13),
                           w = random_floats(98, -0.1f, 0.1f, 14);
  std::vector<float> y(size), dx(size), gate(plane), pooled(2 * plane), dw(98);
  std::vector<std::int32_t> max_channel(plane);
  for (auto _ : state) {
    cpu::spatial_attention_forward<float>(y.data(), gate.data(), pooled.data(), max_channel.data(),
                                          x.data(), w.data(), N, kK, kHo, kWo);
    cpu::spatial_attention_backward<float>(dx.data(), dw.data(), dy.data(), x.data(), gate.data(),
                                           pooled.data(), max_channel.data(), w.data(), N, kK, kHo,
                                           kWo);
  }
  set_counters(state, N, 0);
}

BENCHMARK(BM_GatherImages)->Arg(32)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Conv5x5ReferenceForward)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Conv5x5ReferenceWeightGradient)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PadImages)->Arg(32)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_PatchStatistics)->Arg(32)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CombinePatchMoments)->Arg(32)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_FusedForward, false)
    ->Args({32, 1})
    ->Args({32, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_FusedForward, true)
    ->Args({32, 1})
    ->Args({32, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_FusedBackward)->Arg(32)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ChannelAttention)->Arg(32)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SpatialAttention)->Arg(32)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
