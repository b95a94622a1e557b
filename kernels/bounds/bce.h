#pragma once
// bce_with_logits's bounds. The kernel test and gradcheck hold the same outputs to different
// numbers:
//  - kernel test: a loss term max(z, 0) − z·y + log1p(exp(−|z|)) is within 6 roundings of its
//    magnitude (exp and log1p at 2 ulp each, the product and two additions), then the block sum
//    of the N terms and the division, on the sum of the terms' magnitudes. dz = dloss·(sigmoid(z)
//    − y)/N: the sigmoid within 4u, the difference, the product and the division, doubled.
//  - gradcheck, on the tensor's largest value: the mean over the batch in one chain (N + 8) times
//    4; dz 8 roundings times 2.
#include "kernels/bounds/rounding.h"

namespace braincam::bounds::bce {

// ---- kernel test ----

inline double loss_chain(int N) { return 6 + block_sum_chain(N) + 1; }
inline double logit_gradient(double dloss, double sigmoid, double label, int N) {
  return 2 * 7 * kUnitRoundoff * dloss * (sigmoid + label) / N;
}

// ---- gradcheck, whole tensors ----

inline Bound loss(int N) { return {ErrorScale::TensorMax, N + 8.0, 4}; }
inline constexpr Bound kLogitGradient{ErrorScale::TensorMax, 8, 2};

}  // namespace braincam::bounds::bce
