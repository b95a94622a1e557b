#include "kernels/cpu/relu.h"

namespace braincam::cpu {

template <class T>
void relu_forward(T* y, const T* x, long n) {
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; ++i) y[i] = x[i] > T(0) ? x[i] : T(0);
}

template <class T>
void relu_backward(T* dx, const T* dy, const T* y, long n) {
#pragma omp parallel for schedule(static)
  for (long i = 0; i < n; ++i) dx[i] = y[i] > T(0) ? dy[i] : T(0);
}

#define BRAINCAM_INSTANTIATE(T)                      \
  template void relu_forward<T>(T*, const T*, long); \
  template void relu_backward<T>(T*, const T*, const T*, long);
BRAINCAM_INSTANTIATE(float)
BRAINCAM_INSTANTIATE(double)

}  // namespace braincam::cpu
