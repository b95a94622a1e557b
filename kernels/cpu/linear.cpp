#include "kernels/cpu/linear.h"

#include <algorithm>

namespace braincam::cpu {

template <class T>
void linear_forward(T* y, const T* x, const T* w, const T* b, int N, int In, int Out) {
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < Out; ++o) {
      T acc = 0;
      for (int i = 0; i < In; ++i)
        acc += w[static_cast<long>(o) * In + i] * x[static_cast<long>(n) * In + i];
      y[n * Out + o] = acc + b[o];
    }
}

template <class T>
void linear_backward(T* dx, T* dw, T* db, const T* dy, const T* x, const T* w, int N, int In,
                     int Out) {
  std::fill_n(dw, static_cast<long>(Out) * In, T(0));
  std::fill_n(db, Out, T(0));
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < Out; ++o) {
      const T g = dy[n * Out + o];
      db[o] += g;
      for (int i = 0; i < In; ++i)
        dw[static_cast<long>(o) * In + i] += g * x[static_cast<long>(n) * In + i];
    }
  if (!dx) return;
  for (int n = 0; n < N; ++n)
    for (int i = 0; i < In; ++i) {
      T acc = 0;
      for (int o = 0; o < Out; ++o) acc += dy[n * Out + o] * w[static_cast<long>(o) * In + i];
      dx[static_cast<long>(n) * In + i] = acc;
    }
}

#define BRAINCAM_INSTANTIATE(T)                                                     \
  template void linear_forward<T>(T*, const T*, const T*, const T*, int, int, int); \
  template void linear_backward<T>(T*, T*, T*, const T*, const T*, const T*, int, int, int);
BRAINCAM_INSTANTIATE(float)
BRAINCAM_INSTANTIATE(double)

}  // namespace braincam::cpu
