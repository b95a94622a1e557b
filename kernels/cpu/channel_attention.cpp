// The loops over planes (image, channel) that make the descriptors, the gated output and
// d(logit) run in parallel; each plane's sums are the plain loops', in order, so the results do
// not depend on the thread count. The MLP on the descriptors is small and stays serial.
#include "kernels/cpu/channel_attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace braincam::cpu {

namespace {
// Index of the guidance cell (4x4 block) that position (h, w) lies in.
inline int cell_of(int h, int w, int W) { return (h / 4) * (W / 4) + w / 4; }
}  // namespace

template <class T>
void channel_attention_forward(T* y, T* gate, T* desc, std::int32_t* max_index, T* hidden,
                               const T* x, const T* s, const T* w1, const T* b1, const T* w2,
                               const T* b2, int N, int C, int H, int W, int Ch) {
  const int HW = H * W;
  const long NC = static_cast<long>(N) * C;
  T* mean = desc;
  T* max = desc + NC;
  T* guided = desc + 2 * NC;
#pragma omp parallel for collapse(2) schedule(static)
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c) {
      const T* plane = x + (static_cast<long>(n) * C + c) * HW;
      const T* sn = s + static_cast<long>(n) * (H / 4) * (W / 4);
      T sum = 0, weighted = 0;
      int best = 0;
      for (int h = 0; h < H; ++h)
        for (int w = 0; w < W; ++w) {
          const T v = plane[h * W + w];
          sum += v;
          weighted += sn[cell_of(h, w, W)] * v;
          if (v > plane[best]) best = h * W + w;
        }
      mean[n * C + c] = sum / HW;
      max[n * C + c] = plane[best];
      max_index[n * C + c] = best;
      guided[n * C + c] = weighted / 16;  // s-weighted sum of 4x4 averages
    }
  // The shared MLP on each descriptor; the three outputs are summed into the gate's logit.
  std::vector<T> logit(NC, T(0));
  for (int k = 0; k < 3; ++k)
    for (int n = 0; n < N; ++n) {
      const T* d = desc + k * NC + static_cast<long>(n) * C;
      T* pre = hidden + (static_cast<long>(k) * N + n) * Ch;
      for (int j = 0; j < Ch; ++j) {
        T acc = b1[j];
        for (int c = 0; c < C; ++c) acc += w1[j * C + c] * d[c];
        pre[j] = acc;
      }
      for (int c = 0; c < C; ++c) {
        T acc = b2[c];
        for (int j = 0; j < Ch; ++j) acc += w2[c * Ch + j] * std::max(pre[j], T(0));
        logit[n * C + c] += acc;
      }
    }
  for (long i = 0; i < NC; ++i) gate[i] = T(1) / (T(1) + std::exp(-logit[i]));
#pragma omp parallel for schedule(static)
  for (long i = 0; i < NC; ++i)
    for (int p = 0; p < HW; ++p) y[i * HW + p] = x[i * HW + p] * gate[i];
}

template <class T>
void channel_attention_backward(T* dx, T* dw1, T* db1, T* dw2, T* db2, const T* dy, const T* x,
                                const T* s, const T* gate, const T* desc,
                                const std::int32_t* max_index, const T* hidden, const T* w1,
                                const T* w2, int N, int C, int H, int W, int Ch) {
  const int HW = H * W;
  const long NC = static_cast<long>(N) * C;
  // d(logit) = d(gate) * gate * (1 - gate), with d(gate) = sum over positions of dy * x.
  std::vector<T> dlogit(NC);
#pragma omp parallel for schedule(static)
  for (long i = 0; i < NC; ++i) {
    T dgate = 0;
    for (int p = 0; p < HW; ++p) dgate += dy[i * HW + p] * x[i * HW + p];
    dlogit[i] = dgate * gate[i] * (T(1) - gate[i]);
  }
  // Back through the shared MLP, once per descriptor; ddesc gets each descriptor's gradient.
  std::fill_n(dw1, Ch * C, T(0));
  std::fill_n(db1, Ch, T(0));
  std::fill_n(dw2, C * Ch, T(0));
  std::fill_n(db2, C, T(0));
  std::vector<T> ddesc(3 * NC, T(0)), dpre(Ch);
  for (int k = 0; k < 3; ++k)
    for (int n = 0; n < N; ++n) {
      const T* d = desc + k * NC + static_cast<long>(n) * C;
      const T* pre = hidden + (static_cast<long>(k) * N + n) * Ch;
      const T* g = dlogit.data() + static_cast<long>(n) * C;
      for (int c = 0; c < C; ++c) {
        db2[c] += g[c];
        for (int j = 0; j < Ch; ++j) dw2[c * Ch + j] += g[c] * std::max(pre[j], T(0));
      }
      for (int j = 0; j < Ch; ++j) {
        T acc = 0;
        for (int c = 0; c < C; ++c) acc += w2[c * Ch + j] * g[c];
        dpre[j] = pre[j] > T(0) ? acc : T(0);
        db1[j] += dpre[j];
        for (int c = 0; c < C; ++c) dw1[j * C + c] += dpre[j] * d[c];
      }
      T* dd = ddesc.data() + k * NC + static_cast<long>(n) * C;
      for (int c = 0; c < C; ++c)
        for (int j = 0; j < Ch; ++j) dd[c] += w1[j * C + c] * dpre[j];
    }
  // Back to x: through the gate's product, the mean, the max (its first position only) and the
  // guided average (each position weighs its cell's s / 16).
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c) {
      const long i = static_cast<long>(n) * C + c;
      const T* sn = s + static_cast<long>(n) * (H / 4) * (W / 4);
      const T dmean = ddesc[i] / HW, dguided = ddesc[2 * NC + i] / 16;
      for (int h = 0; h < H; ++h)
        for (int w = 0; w < W; ++w) {
          const long p = i * HW + h * W + w;
          dx[p] = dy[p] * gate[i] + dmean + dguided * sn[cell_of(h, w, W)];
        }
      dx[i * HW + max_index[i]] += ddesc[NC + i];
    }
}

#define BRAINCAM_INSTANTIATE(T)                                                                  \
  template void channel_attention_forward<T>(T*, T*, T*, std::int32_t*, T*, const T*, const T*,  \
                                             const T*, const T*, const T*, const T*, int, int,   \
                                             int, int, int);                                     \
  template void channel_attention_backward<T>(T*, T*, T*, T*, T*, const T*, const T*, const T*,  \
                                              const T*, const T*, const std::int32_t*, const T*, \
                                              const T*, const T*, int, int, int, int, int);
BRAINCAM_INSTANTIATE(float)
BRAINCAM_INSTANTIATE(double)

}  // namespace braincam::cpu
