#include "kernels/cpu/bce.h"

#include <algorithm>
#include <cmath>

namespace braincam::cpu {

template <class T>
void bce_with_logits_forward(T* loss, const T* z, const T* y, int N) {
  T total = 0;
  for (int n = 0; n < N; ++n)
    total += std::max(z[n], T(0)) - z[n] * y[n] + std::log1p(std::exp(-std::abs(z[n])));
  *loss = total / N;
}

template <class T>
void bce_with_logits_backward(T* dz, const T* z, const T* y, const T* dloss, int N) {
  for (int n = 0; n < N; ++n) dz[n] = *dloss * (T(1) / (T(1) + std::exp(-z[n])) - y[n]) / N;
}

#define BRAINCAM_INSTANTIATE(T)                                          \
  template void bce_with_logits_forward<T>(T*, const T*, const T*, int); \
  template void bce_with_logits_backward<T>(T*, const T*, const T*, const T*, int);
BRAINCAM_INSTANTIATE(float)
BRAINCAM_INSTANTIATE(double)

}  // namespace braincam::cpu
