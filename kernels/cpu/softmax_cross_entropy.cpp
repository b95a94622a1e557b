#include "kernels/cpu/softmax_cross_entropy.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace braincam::cpu {

namespace {

// The row's largest logit and Σ_k exp(z - largest).
template <class T>
std::pair<T, T> shifted_exp_sum(const T* row, int K) {
  const T largest = *std::max_element(row, row + K);
  T sum = 0;
  for (int k = 0; k < K; ++k) sum += std::exp(row[k] - largest);
  return {largest, sum};
}

}  // namespace

template <class T>
void softmax_cross_entropy_forward(T* loss, const T* z, const std::int64_t* y, int N, int K) {
  T total = 0;
  for (int n = 0; n < N; ++n) {
    const T* row = z + static_cast<std::int64_t>(n) * K;
    const auto [largest, sum] = shifted_exp_sum(row, K);
    total += largest + std::log(sum) - row[y[n]];
  }
  *loss = total / N;
}

template <class T>
void softmax_cross_entropy_backward(T* dz, const T* z, const std::int64_t* y, const T* dloss, int N,
                                    int K) {
  for (int n = 0; n < N; ++n) {
    const std::int64_t at = static_cast<std::int64_t>(n) * K;
    const auto [largest, sum] = shifted_exp_sum(z + at, K);
    for (int k = 0; k < K; ++k) {
      const T target = k == y[n] ? T(1) : T(0);
      dz[at + k] = *dloss * (std::exp(z[at + k] - largest) / sum - target) / N;
    }
  }
}

#define BRAINCAM_INSTANTIATE(T)                                                                \
  template void softmax_cross_entropy_forward<T>(T*, const T*, const std::int64_t*, int, int); \
  template void softmax_cross_entropy_backward<T>(T*, const T*, const std::int64_t*, const T*, \
                                                  int, int);
BRAINCAM_INSTANTIATE(float)
BRAINCAM_INSTANTIATE(double)

}  // namespace braincam::cpu
