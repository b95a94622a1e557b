#include "kernels/cpu/adam.h"

#include <cmath>

namespace braincam::cpu {

template <class T>
void adam_update(T* param, T* m, T* v, const T* grad, long n, double lr, double beta1, double beta2,
                 double eps, double weight_decay, long step) {
  // The decay is a pass of its own, as PyTorch's param.mul_: its product is rounded before the
  // update's subtraction, and without decay the update below is untouched.
  if (weight_decay != 0) {
    const T decay = static_cast<T>(1 - lr * weight_decay);
    for (long i = 0; i < n; ++i) param[i] *= decay;
  }
  // The bias corrections are computed in double, as PyTorch does in Python.
  const T step_size = static_cast<T>(lr / (1 - std::pow(beta1, step)));
  const T correction2_sqrt = static_cast<T>(std::sqrt(1 - std::pow(beta2, step)));
  const T b1 = static_cast<T>(beta1), b2 = static_cast<T>(beta2), e = static_cast<T>(eps);
  const T one_minus_b1 = static_cast<T>(1 - beta1), one_minus_b2 = static_cast<T>(1 - beta2);
  for (long i = 0; i < n; ++i) {
    m[i] = m[i] * b1 + one_minus_b1 * grad[i];
    v[i] = v[i] * b2 + one_minus_b2 * grad[i] * grad[i];
    param[i] -= step_size * (m[i] / (std::sqrt(v[i]) / correction2_sqrt + e));
  }
}

template void adam_update<float>(float*, float*, float*, const float*, long, double, double, double,
                                 double, double, long);
template void adam_update<double>(double*, double*, double*, const double*, long, double, double,
                                  double, double, double, long);

}  // namespace braincam::cpu
