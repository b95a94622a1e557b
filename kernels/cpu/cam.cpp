#include "kernels/cpu/cam.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/cpu/maxpool4.h"

namespace braincam::cpu {

template <class T>
void cam_reduce(T* cam, const T* P, const T* w, int N, int C, int HW) {
  for (int n = 0; n < N; ++n)
    for (int p = 0; p < HW; ++p) {
      T acc = 0;
      for (int c = 0; c < C; ++c) acc += w[c * HW + p] * P[(static_cast<long>(n) * C + c) * HW + p];
      cam[n * HW + p] = acc;
    }
}

template <class T>
void cam_guidance(T* s, const T* F, const T* w, int N, int C, int H, int W) {
  const int cells = (H / 4) * (W / 4);
  std::vector<T> pooled(static_cast<std::size_t>(N) * C * cells);
  maxpool4_forward<T>(pooled.data(), nullptr, F, N * C, H, W);
  cam_reduce<T>(s, pooled.data(), w, N, C, cells);
  for (int n = 0; n < N; ++n) {  // softmax in place, shifted by the maximum for stability
    T* row = s + static_cast<long>(n) * cells;
    const T top = *std::max_element(row, row + cells);
    T total = 0;
    for (int p = 0; p < cells; ++p) total += (row[p] = std::exp(row[p] - top));
    for (int p = 0; p < cells; ++p) row[p] /= total;
  }
}

#define BRAINCAM_INSTANTIATE(T)                                       \
  template void cam_reduce<T>(T*, const T*, const T*, int, int, int); \
  template void cam_guidance<T>(T*, const T*, const T*, int, int, int, int);
BRAINCAM_INSTANTIATE(float)
BRAINCAM_INSTANTIATE(double)

}  // namespace braincam::cpu
