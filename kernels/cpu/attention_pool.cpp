#include "kernels/cpu/attention_pool.h"

#include <vector>

#include "kernels/cpu/channel_attention.h"
#include "kernels/cpu/maxpool4.h"
#include "kernels/cpu/spatial_attention.h"

namespace braincam::cpu {

template <class T>
void attention_pool_forward(T* P, std::int32_t* winners, T* channel_gate, T* desc,
                            std::int32_t* max_index, T* hidden, T* spatial_gate, T* pooled,
                            std::int32_t* max_channel, const T* F, const T* s, const T* w1,
                            const T* b1, const T* w2, const T* b2, const T* ws, int N, int C, int H,
                            int W, int Ch) {
  const std::size_t size = static_cast<std::size_t>(N) * C * H * W;
  std::vector<T> F1(size), A(size);
  channel_attention_forward<T>(F1.data(), channel_gate, desc, max_index, hidden, F, s, w1, b1, w2,
                               b2, N, C, H, W, Ch);
  spatial_attention_forward<T>(A.data(), spatial_gate, pooled, max_channel, F1.data(), ws, N, C, H,
                               W);
  maxpool4_forward<T>(P, winners, A.data(), N * C, H, W);
}

template <class T>
void attention_pool_backward(T* dF, T* dw1, T* db1, T* dw2, T* db2, T* dws, const T* dP,
                             const std::int32_t* winners, const T* F, const T* s,
                             const T* channel_gate, const T* desc, const std::int32_t* max_index,
                             const T* hidden, const T* spatial_gate, const T* pooled,
                             const std::int32_t* max_channel, const T* w1, const T* w2, const T* ws,
                             int N, int C, int H, int W, int Ch) {
  const long HW = static_cast<long>(H) * W, planes = static_cast<long>(N) * C;
  std::vector<T> F1(planes * HW), dA(planes * HW), dF1(planes * HW);
  // F1 as channel_attention_forward computes it.
#pragma omp parallel for schedule(static)
  for (long i = 0; i < planes; ++i)
    for (long p = 0; p < HW; ++p) F1[i * HW + p] = F[i * HW + p] * channel_gate[i];
  maxpool4_backward<T>(dA.data(), dP, winners, N * C, H, W);
  spatial_attention_backward<T>(dF1.data(), dws, dA.data(), F1.data(), spatial_gate, pooled,
                                max_channel, ws, N, C, H, W);
  channel_attention_backward<T>(dF, dw1, db1, dw2, db2, dF1.data(), F, s, channel_gate, desc,
                                max_index, hidden, w1, w2, N, C, H, W, Ch);
}

#define BRAINCAM_INSTANTIATE(T)                                                                   \
  template void attention_pool_forward<T>(T*, std::int32_t*, T*, T*, std::int32_t*, T*, T*, T*,   \
                                          std::int32_t*, const T*, const T*, const T*, const T*,  \
                                          const T*, const T*, const T*, int, int, int, int, int); \
  template void attention_pool_backward<T>(                                                       \
      T*, T*, T*, T*, T*, T*, const T*, const std::int32_t*, const T*, const T*, const T*,        \
      const T*, const std::int32_t*, const T*, const T*, const T*, const std::int32_t*, const T*, \
      const T*, const T*, int, int, int, int, int);
BRAINCAM_INSTANTIATE(float)
BRAINCAM_INSTANTIATE(double)

}  // namespace braincam::cpu
