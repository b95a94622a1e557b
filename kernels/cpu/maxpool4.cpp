#include "kernels/cpu/maxpool4.h"

#include <algorithm>

namespace braincam::cpu {

template <class T>
void maxpool4_forward(T* y, std::int32_t* argmax, const T* x, int NC, int H, int W) {
  const int Ho = H / 4, Wo = W / 4;
#pragma omp parallel for schedule(static)
  for (int p = 0; p < NC; ++p) {
    const T* plane = x + static_cast<long>(p) * H * W;
    for (int i = 0; i < Ho; ++i)
      for (int j = 0; j < Wo; ++j) {
        int best = (4 * i) * W + 4 * j;
        for (int di = 0; di < 4; ++di)
          for (int dj = 0; dj < 4; ++dj) {
            const int idx = (4 * i + di) * W + 4 * j + dj;
            if (plane[idx] > plane[best]) best = idx;  // strict: the first maximum stays
          }
        const long o = (static_cast<long>(p) * Ho + i) * Wo + j;
        y[o] = plane[best];
        if (argmax) argmax[o] = best;
      }
  }
}

template <class T>
void maxpool4_backward(T* dx, const T* dy, const std::int32_t* argmax, int NC, int H, int W) {
  const long plane_out = static_cast<long>(H / 4) * (W / 4);
#pragma omp parallel for schedule(static)
  for (int p = 0; p < NC; ++p) {
    T* plane = dx + static_cast<long>(p) * H * W;
    std::fill_n(plane, static_cast<long>(H) * W, T(0));
    for (long o = 0; o < plane_out; ++o) plane[argmax[p * plane_out + o]] = dy[p * plane_out + o];
  }
}

#define BRAINCAM_INSTANTIATE(T)                                                  \
  template void maxpool4_forward<T>(T*, std::int32_t*, const T*, int, int, int); \
  template void maxpool4_backward<T>(T*, const T*, const std::int32_t*, int, int, int);
BRAINCAM_INSTANTIATE(float)
BRAINCAM_INSTANTIATE(double)

}  // namespace braincam::cpu
