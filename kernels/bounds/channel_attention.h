#pragma once
// channel_attention's bounds. The kernel test and gradcheck hold the same outputs to different
// numbers:
//  - kernel test, per element on the magnitude run (the reference on |inputs|, which keeps the
//    gate and takes |hidden|, switching only more ReLUs on): the chains of the kernels' own
//    stages added up. The maximum and its position are selections: bitwise (the test quantizes x
//    so that planes hold ties).
//  - gradcheck, on the tensor's largest value: a reduction over the H·W positions of a plane
//    (staged_reduction_chain), the C products of the MLP and 10 for its other operations; the
//    MLP's gradients also sum over the N images; times 8 for the sigmoids and products.
#include "kernels/bounds/rounding.h"

namespace braincam::bounds::channel_attention {

// ---- kernel test ----

// A descriptor: a block sum over the plane, then the weighting and the division.
inline double descriptor_chain(long HW) { return block_sum_chain(HW) + 3; }
// The MLP's hidden layer: the C products and the bias.
inline double hidden_chain(long HW, int C) { return descriptor_chain(HW) + C + 1; }
// The gate's logit: the Ch products and the bias, and the three descriptors' branches added.
inline double logit_chain(long HW, int C, int Ch) { return hidden_chain(HW, C) + Ch + 1 + 3; }
// The gate is sigmoid_of_sum(logit_chain, the logit on the magnitudes), y = x·gate a
// gated_product.

// Backward: d(gate) a block sum over the plane, d(logit) two products, the hidden gradient C
// products, the descriptors' Ch, the weights' 3N terms, dx a few operations.
inline double backward_chain(long HW, int C, int Ch, int N) {
  return block_sum_chain(HW) + 2 + C + 1 + Ch + 3 * N + 6;
}

// ---- gradcheck, whole tensors ----

inline double plane_chain(long HW, int C) { return staged_reduction_chain(HW, 0) + C + 10; }
// y and dx.
inline Bound output(long HW, int C) { return {ErrorScale::TensorMax, plane_chain(HW, C), 8}; }
// dw1, db1, dw2, db2.
inline Bound weight_gradient(long HW, int C, int N) {
  return {ErrorScale::TensorMax, plane_chain(HW, C) + N, 8};
}

}  // namespace braincam::bounds::channel_attention
