// The spatial attention kernels against the CPU reference run in double on the same float
// inputs; every output is poisoned beforehand. The channel mean and max (and the max's first
// channel) are computed exactly as the float reference, so they must be identical to it. The
// other outputs use the bound of channel_attention_test.cpp: 2 * u * (the chains of roundings
// along the output's path, kernels/bounds/spatial_attention.h) * (the same computation on the
// magnitudes of the inputs).
#include "kernels/cpu/spatial_attention.h"

#include <cmath>
#include <cstring>

#include "kernels/bounds/spatial_attention.h"
#include "kernels/cuda/spatial_attention.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

namespace bound = bounds::spatial_attention;

struct SpatialShape {
  int N, C, H, W;
};

template <class Set>
void check_spatial_attention(SpatialShape a, unsigned seed) {
  INFO("N=" << a.N << " C=" << a.C << " H=" << a.H << " W=" << a.W);
  std::mt19937 rng(seed);
  const long HW = static_cast<long>(a.H) * a.W;
  const std::size_t size = a.N * a.C * HW, pixels = a.N * HW;
  std::vector<float> x = random_floats(size, rng);
  for (float& v : x) v = std::round(v * 8) / 8;  // ties for the channel maximum
  const std::vector<float> w = random_floats(98, rng), dy = random_floats(size, rng);

  std::vector<double> y(size), gate(pixels), pooled(2 * pixels);
  std::vector<std::int32_t> max_channel(pixels);
  cpu::spatial_attention_forward<double>(y.data(), gate.data(), pooled.data(), max_channel.data(),
                                         widened(x).data(), widened(w).data(), a.N, a.C, a.H, a.W);
  std::vector<double> y_abs(size), gate_abs(pixels), pooled_abs(2 * pixels);
  cpu::spatial_attention_forward<double>(y_abs.data(), gate_abs.data(), pooled_abs.data(),
                                         max_channel.data(), magnitudes(x).data(),
                                         magnitudes(w).data(), a.N, a.C, a.H, a.W);
  std::vector<float> y_f(size), gate_f(pixels), pooled_f(2 * pixels);
  std::vector<std::int32_t> max_channel_f(pixels);
  cpu::spatial_attention_forward<float>(y_f.data(), gate_f.data(), pooled_f.data(),
                                        max_channel_f.data(), x.data(), w.data(), a.N, a.C, a.H,
                                        a.W);

  Tensor X = on_device<Set>(x), WT = on_device<Set>(w), DY = on_device<Set>(dy);
  Tensor Y = on_device<Set>(std::vector<float>(size, kPoison)),
         GATE = on_device<Set>(std::vector<float>(pixels, kPoison)),
         POOLED = on_device<Set>(std::vector<float>(2 * pixels, kPoison)),
         MAX_CHANNEL = on_device<Set>(std::vector<std::int32_t>(pixels, -1));
  const cuda::Stream stream = stream_of<Set>();
  cuda::spatial_attention_forward<Set>(Y.data<float>(), GATE.data<float>(), POOLED.data<float>(),
                                       MAX_CHANNEL.data<std::int32_t>(), X.data<float>(),
                                       WT.data<float>(), a.N, a.C, a.H, a.W, stream);
  require_identical(on_host<Set, float>(POOLED), pooled_f, "pooled");
  require_identical(on_host<Set, std::int32_t>(MAX_CHANNEL), max_channel_f, "max_channel");
  std::vector<double> gate_tol(pixels), y_tol(size);
  for (int n = 0; n < a.N; ++n)
    for (int h = 0; h < a.H; ++h)
      for (int v = 0; v < a.W; ++v) {
        double conv_abs = 0;
        for (int t = 0; t < 98; ++t) {
          const int ch = t / 49, ih = h + t / 7 % 7 - 3, iw = v + t % 7 - 3;
          if (ih >= 0 && ih < a.H && iw >= 0 && iw < a.W)
            conv_abs += std::fabs(w[t]) * pooled_abs[(2 * n + ch) * HW + ih * a.W + iw];
        }
        gate_tol[n * HW + h * a.W + v] = bounds::sigmoid_of_sum(bound::gate_chain(a.C), conv_abs);
      }
  for (std::size_t i = 0; i < size; ++i)
    y_tol[i] = bounds::gated_product(std::fabs(x[i]), gate_tol[i / (a.C * HW) * HW + i % HW], y[i]);
  require_close(on_host<Set, float>(GATE), gate, gate_tol, "gate");
  require_close(on_host<Set, float>(Y), y, y_tol, "y");

  // Backward from the float reference's saved tensors.
  std::vector<double> dx(size), dw(98), dx_abs(size), dw_abs(98);
  cpu::spatial_attention_backward<double>(
      dx.data(), dw.data(), widened(dy).data(), widened(x).data(), widened(gate_f).data(),
      widened(pooled_f).data(), max_channel_f.data(), widened(w).data(), a.N, a.C, a.H, a.W);
  cpu::spatial_attention_backward<double>(dx_abs.data(), dw_abs.data(), magnitudes(dy).data(),
                                          magnitudes(x).data(), widened(gate_f).data(),
                                          magnitudes(pooled_f).data(), max_channel_f.data(),
                                          magnitudes(w).data(), a.N, a.C, a.H, a.W);
  Tensor GATE_F = on_device<Set>(gate_f), POOLED_F = on_device<Set>(pooled_f),
         MAX_CHANNEL_F = on_device<Set>(max_channel_f);
  Tensor DX = on_device<Set>(std::vector<float>(size, kPoison)),
         DW = on_device<Set>(std::vector<float>(98, kPoison));
  cuda::spatial_attention_backward<Set>(DX.data<float>(), DW.data<float>(), DY.data<float>(),
                                        X.data<float>(), GATE_F.data<float>(),
                                        POOLED_F.data<float>(), MAX_CHANNEL_F.data<std::int32_t>(),
                                        WT.data<float>(), a.N, a.C, a.H, a.W, stream);
  const long tiles = static_cast<long>((a.H + 15) / 16) * ((a.W + 15) / 16);
  require_close(on_host<Set, float>(DX), dx,
                sum_tolerance(dx_abs, bound::input_gradient_chain(a.C)), "dx");
  require_close(on_host<Set, float>(DW), dw,
                sum_tolerance(dw_abs, bound::weight_gradient_chain(a.C, tiles, a.N)), "dw");
}

template <class Set>
void check_spatial_attention_shapes() {
  unsigned seed = 41;
  for (SpatialShape a : {SpatialShape{1, 3, 5, 7},     // batch 1, smaller than the kernel
                         SpatialShape{33, 2, 6, 4},    // batch 33
                         SpatialShape{2, 5, 17, 35},   // partial tiles in both directions
                         SpatialShape{1, 1, 16, 16}})  // one channel, one whole tile
    check_spatial_attention<Set>(a, seed++);
}

TEST_CASE("spatial_attention: emulator matches the CPU reference within float32 rounding",
          "[spatial_attention][emulator]") {
  check_spatial_attention_shapes<cuda::Emulated>();
}

TEST_CASE("spatial_attention: GPU matches the CPU reference within float32 rounding",
          "[spatial_attention][gpu]") {
  on_gpu([]<class Set>() { check_spatial_attention_shapes<Set>(); });
}

// The CPU reference's 7x7 convolution reads zero-padded planes; its gates, input gradients and
// weight gradients must be the bits of the plain loops over the taps inside the image, in the
// documented orders, written out here: per gate the taps in (ch, kh, kw) order, per element of dS
// the outputs in row-major order, per weight the terms in (image, row, column) order. The inputs
// hold zeros but no values small enough for products to underflow (where a zero result may take
// the other sign, see spatial_attention.cpp).
template <class T>
void check_against_plain_loops(SpatialShape a, unsigned seed) {
  INFO((sizeof(T) == 4 ? "float" : "double")
       << " N=" << a.N << " C=" << a.C << " H=" << a.H << " W=" << a.W);
  constexpr int K = 7, P = 3;
  std::mt19937 rng(seed);
  const int H = a.H, W = a.W;
  const long HW = static_cast<long>(H) * W;
  const std::size_t size = a.N * a.C * HW, pixels = a.N * HW;
  auto random = [&](std::size_t n) {
    std::vector<float> f = random_floats(n, rng);
    for (std::size_t i = 0; i < n; i += 5) f[i] = 0;
    return std::vector<T>(f.begin(), f.end());
  };
  auto same_bits = [](T got, T want) { return std::memcmp(&got, &want, sizeof(T)) == 0; };
  const std::vector<T> x = random(size), w = random(98), dy = random(size);
  std::vector<T> y(size), gate(pixels), pooled(2 * pixels), dx(size), dw(98);
  std::vector<std::int32_t> max_channel(pixels);
  cpu::spatial_attention_forward<T>(y.data(), gate.data(), pooled.data(), max_channel.data(),
                                    x.data(), w.data(), a.N, a.C, H, W);
  cpu::spatial_attention_backward<T>(dx.data(), dw.data(), dy.data(), x.data(), gate.data(),
                                     pooled.data(), max_channel.data(), w.data(), a.N, a.C, H, W);

  auto inside = [&](int h, int v) { return h >= 0 && h < H && v >= 0 && v < W; };
  std::vector<T> dpre(pixels);
  for (int n = 0; n < a.N; ++n)
    for (int h = 0; h < H; ++h)
      for (int v = 0; v < W; ++v) {
        T acc = 0;
        for (int ch = 0; ch < 2; ++ch)
          for (int kh = 0; kh < K; ++kh)
            for (int kw = 0; kw < K; ++kw)
              if (inside(h + kh - P, v + kw - P))
                acc = std::fma(w[(ch * K + kh) * K + kw],
                               pooled[(2 * n + ch) * HW + (h + kh - P) * W + v + kw - P], acc);
        const long p = n * HW + h * W + v;
        REQUIRE(same_bits(gate[p], T(1) / (T(1) + std::exp(-acc))));
        T dgate = 0;
        for (int c = 0; c < a.C; ++c)
          dgate = std::fma(dy[(n * a.C + c) * HW + h * W + v], x[(n * a.C + c) * HW + h * W + v],
                           dgate);
        dpre[p] = dgate * gate[p] * (T(1) - gate[p]);
      }
  for (int n = 0; n < a.N; ++n)
    for (int r = 0; r < H; ++r)
      for (int c = 0; c < W; ++c) {
        T ds[2] = {0, 0};
        for (int h = 0; h < H; ++h)
          for (int v = 0; v < W; ++v)
            for (int ch = 0; ch < 2; ++ch)
              if (std::abs(r - h) <= P && std::abs(c - v) <= P)
                ds[ch] = std::fma(dpre[n * HW + h * W + v], w[(ch * K + r - h + P) * K + c - v + P],
                                  ds[ch]);
        const long p = n * HW + r * W + c;
        for (int ch = 0; ch < a.C; ++ch) {
          T expected = std::fma(dy[(n * a.C + ch) * HW + r * W + c], gate[p], ds[0] / a.C);
          if (ch == max_channel[p]) expected += ds[1];
          REQUIRE(same_bits(dx[(n * a.C + ch) * HW + r * W + c], expected));
        }
      }
  for (int k = 0; k < 98; ++k) {
    const int ch = k / 49, kh = k / K % K, kw = k % K;
    T sum = 0;
    for (int n = 0; n < a.N; ++n)
      for (int h = 0; h < H; ++h)
        for (int v = 0; v < W; ++v)
          if (inside(h + kh - P, v + kw - P))
            sum = std::fma(dpre[n * HW + h * W + v],
                           pooled[(2 * n + ch) * HW + (h + kh - P) * W + v + kw - P], sum);
    REQUIRE(same_bits(dw[k], sum));
  }
}

TEST_CASE("spatial_attention: the CPU reference gives the bits of the plain loops over the taps",
          "[spatial_attention]") {
  unsigned seed = 7;
  for (SpatialShape a :
       {SpatialShape{1, 1, 1, 1}, SpatialShape{2, 3, 5, 2}, SpatialShape{2, 2, 3, 40},
        SpatialShape{1, 2, 7, 7}, SpatialShape{3, 4, 9, 13}}) {
    check_against_plain_loops<float>(a, seed++);
    check_against_plain_loops<double>(a, seed++);
  }
}

}  // namespace
}  // namespace braincam::test
