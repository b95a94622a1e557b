// Reference batch normalization. Sums run in double whatever T is, in a fixed order, so the
// float32 statistics of a 1.8-million-element channel are as exact as float allows.
#include "kernels/cpu/batchnorm.h"

#include <cmath>

namespace braincam::cpu {

template <class T>
void batchnorm_forward_train(T* y, T* mean, T* var, const T* x, const T* gamma, const T* beta,
                             int N, int C, int HW, T eps) {
  const double count = static_cast<double>(N) * HW;
#pragma omp parallel for schedule(static)
  for (int c = 0; c < C; ++c) {
    double sum = 0;
    for (int n = 0; n < N; ++n) {
      const T* p = x + (static_cast<long>(n) * C + c) * HW;
      for (int i = 0; i < HW; ++i) sum += p[i];
    }
    const double mu = sum / count;
    double sq = 0;
    for (int n = 0; n < N; ++n) {
      const T* p = x + (static_cast<long>(n) * C + c) * HW;
      for (int i = 0; i < HW; ++i) sq += (p[i] - mu) * (p[i] - mu);
    }
    const double v = sq / count;
    mean[c] = static_cast<T>(mu);
    var[c] = static_cast<T>(v);
    const double scale = gamma[c] / std::sqrt(v + eps), shift = beta[c] - mu * scale;
    for (int n = 0; n < N; ++n) {
      const long base = (static_cast<long>(n) * C + c) * HW;
      for (int i = 0; i < HW; ++i) y[base + i] = static_cast<T>(x[base + i] * scale + shift);
    }
  }
}

template <class T>
void batchnorm_update_running(T* running_mean, T* running_var, const T* mean, const T* var, int C,
                              long n, T momentum) {
  const T unbias = static_cast<T>(static_cast<double>(n) / static_cast<double>(n - 1));
  for (int c = 0; c < C; ++c) {
    running_mean[c] = (1 - momentum) * running_mean[c] + momentum * mean[c];
    running_var[c] = (1 - momentum) * running_var[c] + momentum * var[c] * unbias;
  }
}

template <class T>
void batchnorm_forward_eval(T* y, const T* x, const T* gamma, const T* beta, const T* running_mean,
                            const T* running_var, int N, int C, int HW, T eps) {
#pragma omp parallel for collapse(2) schedule(static)
  for (int n = 0; n < N; ++n)
    for (int c = 0; c < C; ++c) {
      const T scale = gamma[c] / std::sqrt(running_var[c] + eps);
      const T shift = beta[c] - running_mean[c] * scale;
      const long base = (static_cast<long>(n) * C + c) * HW;
      for (int i = 0; i < HW; ++i) y[base + i] = x[base + i] * scale + shift;
    }
}

// With xhat = (x - mean) * invstd:
//   dbeta = sum dy,  dgamma = sum dy * xhat,
//   dx = gamma * invstd * (dy - dbeta / n - xhat * dgamma / n)
template <class T>
void batchnorm_backward(T* dx, T* dgamma, T* dbeta, const T* dy, const T* x, const T* mean,
                        const T* var, const T* gamma, int N, int C, int HW, T eps) {
  const double count = static_cast<double>(N) * HW;
#pragma omp parallel for schedule(static)
  for (int c = 0; c < C; ++c) {
    const double invstd = 1.0 / std::sqrt(static_cast<double>(var[c]) + eps);
    double sum_dy = 0, sum_dy_xhat = 0;
    for (int n = 0; n < N; ++n) {
      const long base = (static_cast<long>(n) * C + c) * HW;
      for (int i = 0; i < HW; ++i) {
        sum_dy += dy[base + i];
        sum_dy_xhat += dy[base + i] * ((x[base + i] - static_cast<double>(mean[c])) * invstd);
      }
    }
    dbeta[c] = static_cast<T>(sum_dy);
    dgamma[c] = static_cast<T>(sum_dy_xhat);
    const double k = gamma[c] * invstd;
    for (int n = 0; n < N; ++n) {
      const long base = (static_cast<long>(n) * C + c) * HW;
      for (int i = 0; i < HW; ++i) {
        const double xhat = (x[base + i] - static_cast<double>(mean[c])) * invstd;
        dx[base + i] =
            static_cast<T>(k * (dy[base + i] - sum_dy / count - xhat * sum_dy_xhat / count));
      }
    }
  }
}

#define BRAINCAM_INSTANTIATE(T)                                                                 \
  template void batchnorm_forward_train<T>(T*, T*, T*, const T*, const T*, const T*, int, int,  \
                                           int, T);                                             \
  template void batchnorm_update_running<T>(T*, T*, const T*, const T*, int, long, T);          \
  template void batchnorm_forward_eval<T>(T*, const T*, const T*, const T*, const T*, const T*, \
                                          int, int, int, T);                                    \
  template void batchnorm_backward<T>(T*, T*, T*, const T*, const T*, const T*, const T*,       \
                                      const T*, int, int, int, T);
BRAINCAM_INSTANTIATE(float)
BRAINCAM_INSTANTIATE(double)

}  // namespace braincam::cpu
