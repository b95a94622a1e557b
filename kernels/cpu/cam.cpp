#include "kernels/cpu/cam.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/cpu/argmax.h"
#include "kernels/cpu/linear.h"
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

namespace {

template <class T>
std::vector<T> pooled_maps(const T* F, int N, int C, int H, int W) {
  std::vector<T> pooled(static_cast<std::size_t>(N) * C * (H / 4) * (W / 4));
  maxpool4_forward<T>(pooled.data(), nullptr, F, N * C, H, W);
  return pooled;
}

}  // namespace

template <class T>
void cam_guidance(T* s, const T* F, const T* w, int N, int C, int H, int W,
                  const std::int64_t* classes) {
  const int cells = (H / 4) * (W / 4);
  const std::vector<T> pooled = pooled_maps(F, N, C, H, W);
  const long per_image = static_cast<long>(C) * cells;
  for (int n = 0; n < N; ++n)
    cam_reduce<T>(s + static_cast<long>(n) * cells, pooled.data() + n * per_image,
                  w + (classes ? classes[n] : 0) * per_image, 1, C, cells);
  for (int n = 0; n < N; ++n) {  // softmax in place, shifted by the maximum for stability
    T* row = s + static_cast<long>(n) * cells;
    const T top = *std::max_element(row, row + cells);
    T total = 0;
    for (int p = 0; p < cells; ++p) total += (row[p] = std::exp(row[p] - top));
    for (int p = 0; p < cells; ++p) row[p] /= total;
  }
}

template <class T>
void guidance_classes(std::int64_t* classes, const T* F, const T* w, const T* b, int N, int C,
                      int H, int W, int K) {
  const std::vector<T> pooled = pooled_maps(F, N, C, H, W);
  std::vector<T> z0(static_cast<std::size_t>(N) * K);
  linear_forward<T>(z0.data(), pooled.data(), w, b, N, C * (H / 4) * (W / 4), K);
  for (int n = 0; n < N; ++n) classes[n] = first_argmax(z0.data() + static_cast<long>(n) * K, K);
}

#define BRAINCAM_INSTANTIATE(T)                                                                   \
  template void cam_reduce<T>(T*, const T*, const T*, int, int, int);                             \
  template void cam_guidance<T>(T*, const T*, const T*, int, int, int, int, const std::int64_t*); \
  template void guidance_classes<T>(std::int64_t*, const T*, const T*, const T*, int, int, int,   \
                                    int, int);
BRAINCAM_INSTANTIATE(float)
BRAINCAM_INSTANTIATE(double)

}  // namespace braincam::cpu
