// Images run in parallel; every sum keeps the order of the plain loops (channels in order for
// each pixel, taps in (ch, kh, kw) order for each gate, and for each weight (image, row, column)
// order), so the results do not depend on the thread count. The 7x7 loops run over the taps
// inside the image, from computed bounds, instead of testing every tap. The two sums over taps
// call std::fma: one rounding per multiply-add, as the scalar loops had with the compiler's
// contraction, where a vectorized in-order reduction could round each product apart.
#include "kernels/cpu/spatial_attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace braincam::cpu {

namespace {
constexpr int kSize = 7, kPad = 3, kTaps = 2 * kSize * kSize;

// The kernel offsets k (rows or columns) that put position i + k - kPad inside [0, n).
struct Inside {
  int first, last;
};
Inside taps_inside(int i, int n) { return {std::max(0, kPad - i), std::min(kSize, n + kPad - i)}; }
}  // namespace

template <class T>
void spatial_attention_forward(T* y, T* gate, T* pooled, std::int32_t* max_channel, const T* x,
                               const T* w, int N, int C, int H, int W) {
  const long HW = static_cast<long>(H) * W;
#pragma omp parallel for schedule(static)
  for (int n = 0; n < N; ++n) {
    const T* xn = x + n * C * HW;
    T* mean = pooled + 2 * n * HW;
    T* max = mean + HW;
    std::int32_t* best = max_channel + n * HW;
    // Channel by channel, so that the loops over pixels vectorize; each pixel's sum still adds
    // the channels in order, and its maximum is the first one (strict comparison).
    std::fill_n(mean, HW, T(0));
    std::copy_n(xn, HW, max);
    std::fill_n(best, HW, 0);
    for (int c = 0; c < C; ++c)
      for (long p = 0; p < HW; ++p) {
        const T v = xn[c * HW + p];
        mean[p] += v;
        if (v > max[p]) {
          max[p] = v;
          best[p] = c;
        }
      }
    for (long p = 0; p < HW; ++p) mean[p] /= C;
    for (int h = 0; h < H; ++h) {
      const Inside rows = taps_inside(h, H);
      for (int v = 0; v < W; ++v) {
        const Inside cols = taps_inside(v, W);
        T acc = 0;
        for (int ch = 0; ch < 2; ++ch)
          for (int kh = rows.first; kh < rows.last; ++kh) {
            const T* row = mean + ch * HW + (h + kh - kPad) * W + v - kPad;
            const T* taps = w + (ch * kSize + kh) * kSize;
            for (int kw = cols.first; kw < cols.last; ++kw) acc = std::fma(taps[kw], row[kw], acc);
          }
        gate[n * HW + h * W + v] = T(1) / (T(1) + std::exp(-acc));
      }
    }
    for (int c = 0; c < C; ++c)
      for (long p = 0; p < HW; ++p) y[(n * C + c) * HW + p] = xn[c * HW + p] * gate[n * HW + p];
  }
}

template <class T>
void spatial_attention_backward(T* dx, T* dw, const T* dy, const T* x, const T* gate,
                                const T* pooled, const std::int32_t* max_channel, const T* w, int N,
                                int C, int H, int W) {
  const long HW = static_cast<long>(H) * W;
  std::vector<T> dpre(N * HW);  // d(pre-sigmoid) per image, kept for the weight gradient
#pragma omp parallel
  {
    std::vector<T> dgate(HW), dpooled(2 * HW);
#pragma omp for schedule(static)
    for (int n = 0; n < N; ++n) {
      const T* xn = x + n * C * HW;
      const T* dyn = dy + n * C * HW;
      const T* gn = gate + n * HW;
      T* dpre_n = dpre.data() + n * HW;
      // d(pre-sigmoid) = d(gate) * gate * (1 - gate), d(gate) = sum over channels of dy * x,
      // added channel by channel in order.
      std::fill(dgate.begin(), dgate.end(), T(0));
      for (int c = 0; c < C; ++c)
        for (long p = 0; p < HW; ++p) dgate[p] += dyn[c * HW + p] * xn[c * HW + p];
      for (long p = 0; p < HW; ++p) dpre_n[p] = dgate[p] * gn[p] * (T(1) - gn[p]);
      // Through the 7x7 convolution to S.
      std::fill(dpooled.begin(), dpooled.end(), T(0));
      for (int h = 0; h < H; ++h) {
        const Inside rows = taps_inside(h, H);
        for (int v = 0; v < W; ++v) {
          const Inside cols = taps_inside(v, W);
          const T g = dpre_n[h * W + v];
          for (int ch = 0; ch < 2; ++ch)
            for (int kh = rows.first; kh < rows.last; ++kh) {
              T* row = dpooled.data() + ch * HW + (h + kh - kPad) * W + v - kPad;
              const T* taps = w + (ch * kSize + kh) * kSize;
              for (int kw = cols.first; kw < cols.last; ++kw) row[kw] += g * taps[kw];
            }
        }
      }
      // Back to x: the gate's product, the channel mean, and the channel max (first winner only).
      for (int c = 0; c < C; ++c)
        for (long p = 0; p < HW; ++p)
          dx[(n * C + c) * HW + p] = dyn[c * HW + p] * gn[p] + dpooled[p] / C;
      for (long p = 0; p < HW; ++p)
        dx[(n * C + max_channel[n * HW + p]) * HW + p] += dpooled[HW + p];
    }
  }
  // The weight gradient, one tap per task: its terms in (image, row, column) order.
#pragma omp parallel for schedule(static)
  for (int k = 0; k < kTaps; ++k) {
    const int ch = k / (kSize * kSize), kh = k / kSize % kSize, kw = k % kSize;
    const int h0 = std::max(0, kPad - kh), h1 = std::min(H, H + kPad - kh);
    const int v0 = std::max(0, kPad - kw), v1 = std::min(W, W + kPad - kw);
    T sum = 0;
    for (int n = 0; n < N; ++n) {
      const T* S = pooled + (2 * n + ch) * HW;
      for (int h = h0; h < h1; ++h)
        for (int v = v0; v < v1; ++v)
          sum = std::fma(dpre[n * HW + h * W + v], S[(h + kh - kPad) * W + v + kw - kPad], sum);
    }
    dw[k] = sum;
  }
}

#define BRAINCAM_INSTANTIATE(T)                                                                  \
  template void spatial_attention_forward<T>(T*, T*, T*, std::int32_t*, const T*, const T*, int, \
                                             int, int, int);                                     \
  template void spatial_attention_backward<T>(T*, T*, const T*, const T*, const T*, const T*,    \
                                              const std::int32_t*, const T*, int, int, int, int);
BRAINCAM_INSTANTIATE(float)
BRAINCAM_INSTANTIATE(double)

}  // namespace braincam::cpu
