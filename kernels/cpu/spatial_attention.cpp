#include "kernels/cpu/spatial_attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace braincam::cpu {

namespace {
constexpr int kSize = 7, kPad = 3;
}

template <class T>
void spatial_attention_forward(T* y, T* gate, T* pooled, std::int32_t* max_channel, const T* x,
                               const T* w, int N, int C, int H, int W) {
  const long HW = static_cast<long>(H) * W;
  for (int n = 0; n < N; ++n) {
    const T* xn = x + n * C * HW;
    T* mean = pooled + 2 * n * HW;
    T* max = mean + HW;
    for (long p = 0; p < HW; ++p) {
      T sum = 0;
      int best = 0;
      for (int c = 0; c < C; ++c) {
        sum += xn[c * HW + p];
        if (xn[c * HW + p] > xn[best * HW + p]) best = c;
      }
      mean[p] = sum / C;
      max[p] = xn[best * HW + p];
      max_channel[n * HW + p] = best;
    }
    for (int h = 0; h < H; ++h)
      for (int v = 0; v < W; ++v) {
        T acc = 0;
        for (int ch = 0; ch < 2; ++ch)
          for (int kh = 0; kh < kSize; ++kh)
            for (int kw = 0; kw < kSize; ++kw) {
              const int ih = h + kh - kPad, iw = v + kw - kPad;
              if (ih >= 0 && ih < H && iw >= 0 && iw < W)
                acc += w[(ch * kSize + kh) * kSize + kw] * mean[ch * HW + ih * W + iw];
            }
        gate[n * HW + h * W + v] = T(1) / (T(1) + std::exp(-acc));
      }
    for (int c = 0; c < C; ++c)
      for (long p = 0; p < HW; ++p) y[(n * C + c) * HW + p] = xn[c * HW + p] * gate[n * HW + p];
  }
}

template <class T>
void spatial_attention_backward(T* dx, T* dw, const T* dy, const T* x, const T* gate,
                                const T* pooled, const std::int32_t* max_channel, const T* w,
                                int N, int C, int H, int W) {
  const long HW = static_cast<long>(H) * W;
  std::fill_n(dw, 2 * kSize * kSize, T(0));
  std::vector<T> dpre(HW), dpooled(2 * HW);
  for (int n = 0; n < N; ++n) {
    const T* xn = x + n * C * HW;
    const T* dyn = dy + n * C * HW;
    const T* gn = gate + n * HW;
    // d(pre-sigmoid) = d(gate) * gate * (1 - gate), d(gate) = sum over channels of dy * x.
    for (long p = 0; p < HW; ++p) {
      T dgate = 0;
      for (int c = 0; c < C; ++c) dgate += dyn[c * HW + p] * xn[c * HW + p];
      dpre[p] = dgate * gn[p] * (T(1) - gn[p]);
    }
    // Through the 7x7 convolution: weight gradient and the gradient of S.
    std::fill(dpooled.begin(), dpooled.end(), T(0));
    const T* S = pooled + 2 * n * HW;
    for (int h = 0; h < H; ++h)
      for (int v = 0; v < W; ++v) {
        const T g = dpre[h * W + v];
        for (int ch = 0; ch < 2; ++ch)
          for (int kh = 0; kh < kSize; ++kh)
            for (int kw = 0; kw < kSize; ++kw) {
              const int ih = h + kh - kPad, iw = v + kw - kPad;
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
              const int k = (ch * kSize + kh) * kSize + kw;
              dw[k] += g * S[ch * HW + ih * W + iw];
              dpooled[ch * HW + ih * W + iw] += g * w[k];
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

#define BRAINCAM_INSTANTIATE(T)                                                                 \
  template void spatial_attention_forward<T>(T*, T*, T*, std::int32_t*, const T*, const T*, int, \
                                             int, int, int);                                    \
  template void spatial_attention_backward<T>(T*, T*, const T*, const T*, const T*, const T*,    \
                                              const std::int32_t*, const T*, int, int, int, int);
BRAINCAM_INSTANTIATE(float)
BRAINCAM_INSTANTIATE(double)

}  // namespace braincam::cpu
