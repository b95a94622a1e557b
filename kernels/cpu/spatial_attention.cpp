// Images run in parallel; every sum keeps the order of the plain loops (channels in order for
// each pixel, taps in (ch, kh, kw) order for each gate, the outputs in (row, column) order for
// each element of dS, and for each weight (image, row, column) order), so the results do not
// depend on the thread count.
//
// The 7x7 convolution reads planes copied into a zero border, so that its loops need no bounds
// and vectorize across pixels (or, for the weight gradient, across the taps of a kernel row)
// instead of running one long dependent chain per output. A tap that falls on the border adds
// w * 0 to a sum, which leaves a finite sum as it was unless the sum is -0: then it becomes +0.
// A sum is -0 only where products underflowed to it (a sum that starts at +0 cannot reach -0
// otherwise), and the sigmoid does not see the sign of a zero. So the results are the bits of the
// loops that skip those taps, except that an input or weight gradient that is zero may have the
// other sign where products underflow.
// Every multiply-add calls std::fma: one rounding, whatever the compiler vectorizes or contracts.
#include "kernels/cpu/spatial_attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace braincam::cpu {

namespace {
constexpr int kSize = 7, kPad = 3;
// Lanes of the weight gradient's accumulators: the 7 taps of a kernel row and one unused, so that
// a row's taps are one 8-wide vector.
constexpr int kRowLanes = 8;

// A plane (H x W) inside a zero border of kPad rows above and below, kPad columns on the left and
// kPad + 1 on the right (room for the unused eighth lane). Buffers of padded planes start as zeros
// and only their insides are ever written, so the borders stay zero.
struct PaddedPlane {
  int H, W;
  long stride() const { return W + 2 * kPad + 1; }
  long size() const { return (H + 2 * kPad) * stride(); }
  // Copies src (H x W) inside dst (size() elements).
  template <class T>
  void copy_inside(T* dst, const T* src) const {
    for (int h = 0; h < H; ++h) std::copy_n(src + h * W, W, dst + (h + kPad) * stride() + kPad);
  }
};
}  // namespace

template <class T>
void spatial_attention_forward(T* y, T* gate, T* pooled, std::int32_t* max_channel, const T* x,
                               const T* w, int N, int C, int H, int W) {
  const long HW = static_cast<long>(H) * W;
  const PaddedPlane padded{H, W};
#pragma omp parallel
  {
    std::vector<T> S(2 * padded.size()), acc(W);
#pragma omp for schedule(static)
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
      for (int ch = 0; ch < 2; ++ch)
        padded.copy_inside(S.data() + ch * padded.size(), mean + ch * HW);
      // A row of gates at a time, each tap added to the whole row.
      for (int h = 0; h < H; ++h) {
        std::fill(acc.begin(), acc.end(), T(0));
        for (int ch = 0; ch < 2; ++ch)
          for (int kh = 0; kh < kSize; ++kh) {
            const T* row = S.data() + ch * padded.size() + (h + kh) * padded.stride();
            for (int kw = 0; kw < kSize; ++kw) {
              const T tap = w[(ch * kSize + kh) * kSize + kw];
              for (int v = 0; v < W; ++v) acc[v] = std::fma(tap, row[v + kw], acc[v]);
            }
          }
        for (int v = 0; v < W; ++v) gate[n * HW + h * W + v] = T(1) / (T(1) + std::exp(-acc[v]));
      }
      for (int c = 0; c < C; ++c)
        for (long p = 0; p < HW; ++p) y[(n * C + c) * HW + p] = xn[c * HW + p] * gate[n * HW + p];
    }
  }
}

template <class T>
void spatial_attention_backward(T* dx, T* dw, const T* dy, const T* x, const T* gate,
                                const T* pooled, const std::int32_t* max_channel, const T* w, int N,
                                int C, int H, int W) {
  const long HW = static_cast<long>(H) * W;
  const PaddedPlane padded{H, W};
  // Per image: d(pre-sigmoid) and S in their borders, kept for the weight gradient.
  std::vector<T> dpre(N * padded.size()), S(2 * N * padded.size());
#pragma omp parallel
  {
    std::vector<T> dgate(HW), dpooled(2 * HW);
#pragma omp for schedule(static)
    for (int n = 0; n < N; ++n) {
      const T* xn = x + n * C * HW;
      const T* dyn = dy + n * C * HW;
      const T* gn = gate + n * HW;
      T* dpre_n = dpre.data() + n * padded.size();
      // d(pre-sigmoid) = d(gate) * gate * (1 - gate), d(gate) = sum over channels of dy * x,
      // added channel by channel in order.
      std::fill(dgate.begin(), dgate.end(), T(0));
      for (int c = 0; c < C; ++c)
        for (long p = 0; p < HW; ++p)
          dgate[p] = std::fma(dyn[c * HW + p], xn[c * HW + p], dgate[p]);
      for (long p = 0; p < HW; ++p) dgate[p] = dgate[p] * gn[p] * (T(1) - gn[p]);
      padded.copy_inside(dpre_n, dgate.data());
      for (int ch = 0; ch < 2; ++ch)
        padded.copy_inside(S.data() + (2 * n + ch) * padded.size(), pooled + (2 * n + ch) * HW);
      // Through the 7x7 convolution to S: dS[r, c] sums dpre[h, v] * w[r - h + kPad, c - v + kPad]
      // over the outputs (h, v) in row-major order, that is kh and kw descending.
      for (int ch = 0; ch < 2; ++ch)
        for (int r = 0; r < H; ++r) {
          T* out = dpooled.data() + ch * HW + r * W;
          std::fill_n(out, W, T(0));
          for (int kh = kSize - 1; kh >= 0; --kh) {
            const T* row = dpre_n + (r + 2 * kPad - kh) * padded.stride();
            for (int kw = kSize - 1; kw >= 0; --kw) {
              const T tap = w[(ch * kSize + kh) * kSize + kw];
              const T* g = row + 2 * kPad - kw;
              for (int c = 0; c < W; ++c) out[c] = std::fma(g[c], tap, out[c]);
            }
          }
        }
      // Back to x: the gate's product, the channel mean, and the channel max (first winner only).
      for (int c = 0; c < C; ++c)
        for (long p = 0; p < HW; ++p)
          dx[(n * C + c) * HW + p] = std::fma(dyn[c * HW + p], gn[p], dpooled[p] / C);
      for (long p = 0; p < HW; ++p)
        dx[(n * C + max_channel[n * HW + p]) * HW + p] += dpooled[HW + p];
    }
  }
  // The weight gradient, one input channel per task: its 7 kernel rows' sums side by side, each
  // a vector over the row's taps, every term in (image, row, column) order. Seven independent
  // chains keep the multiply-adds busy; a task per kernel row would be one chain waiting on each
  // multiply-add.
#pragma omp parallel for schedule(static)
  for (int ch = 0; ch < 2; ++ch) {
    T sums[kSize][kRowLanes] = {};
    for (int n = 0; n < N; ++n) {
      const T* plane = S.data() + (2 * n + ch) * padded.size();
      const T* dpre_n = dpre.data() + n * padded.size() + kPad * padded.stride() + kPad;
      for (int h = 0; h < H; ++h)
        for (int v = 0; v < W; ++v) {
          const T g = dpre_n[h * padded.stride() + v];
          for (int kh = 0; kh < kSize; ++kh) {
            const T* taps = plane + (h + kh) * padded.stride() + v;
            for (int lane = 0; lane < kRowLanes; ++lane)
              sums[kh][lane] = std::fma(g, taps[lane], sums[kh][lane]);
          }
        }
    }
    for (int kh = 0; kh < kSize; ++kh) std::copy_n(sums[kh], kSize, dw + (ch * kSize + kh) * kSize);
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
