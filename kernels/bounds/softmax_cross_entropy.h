#pragma once
// softmax_cross_entropy's bounds. The kernel test and gradcheck hold the same outputs to different
// numbers:
//  - kernel test: an image's term m + log(s) − z[y], with m its largest logit and s = Σ_k exp(z_k
//    − m) in [1, K]: each exp argument 1 rounding and exp 2 ulp, the K terms of s in order, log
//    2 ulp, the two additions: (K + 7) roundings on the term's scale |m| + log(s) + |z[y]| + 1
//    (the 1 carries s's relative error, which log turns into an absolute one); then the block sum
//    of the N terms and the division, on the sum of the terms' scales. dz = dloss·(p − [k = y])/N
//    with p = exp(z − m)/s: the rounding of z − m moves p by |z − m| roundings relatively (exp's
//    slope), exp 2 ulp, s's K roundings and the division; then the difference, the product and the
//    division; doubled.
//  - gradcheck, on the tensor's largest value: the mean over the batch and each image's exp sum in
//    one chain (N + K + 8) times 4; dz (K + 8) roundings times 2.
#include "kernels/bounds/rounding.h"

namespace braincam::bounds::softmax_cross_entropy {

// ---- kernel test ----

inline double loss_chain(int N, int K) { return K + 7 + block_sum_chain(N) + 1; }
// The scale of an image's term that loss_chain multiplies.
inline double term_scale(double largest, double log_sum, double target_logit) {
  return std::fabs(largest) + log_sum + std::fabs(target_logit) + 1;
}
// shift: |z − m| of the logit.
inline double logit_gradient(double dloss, double probability, double target, double shift, int N,
                             int K) {
  return 2 * (shift + K + 6) * kUnitRoundoff * dloss * (probability + target) / N;
}

// ---- gradcheck, whole tensors ----

inline Bound loss(int N, int K) { return {ErrorScale::TensorMax, N + K + 8.0, 4}; }
inline Bound logit_gradient(int K) { return {ErrorScale::TensorMax, K + 8.0, 2}; }

}  // namespace braincam::bounds::softmax_cross_entropy
