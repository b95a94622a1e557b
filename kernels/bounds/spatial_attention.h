#pragma once
// spatial_attention's bounds. The kernel test and gradcheck hold the same outputs to different
// numbers:
//  - kernel test, per element on the magnitude run: the channel mean and max and the max's
//    channel are the reference's float operations in its order: bitwise. The gate is a sigmoid
//    of the 7 × 7 convolution's 98 products, whose input carries the mean's C roundings and one
//    more; y a gated product; dx and dw the chains below.
//  - gradcheck, on the tensor's largest value: y and dx the mean or max over C channels, the 98
//    products and 8 more operations; dw a reduction over every position of the batch
//    (staged_reduction_chain with the N images' partials); times 4 for the sigmoid.
#include "kernels/bounds/rounding.h"

namespace braincam::bounds::spatial_attention {

// ---- kernel test ----

// The gate: sigmoid_of_sum(gate_chain, the convolution on the magnitudes).
inline double gate_chain(int C) { return C + 1 + 98; }
// dx: d(pre) from C products and two factors, dS from 98 products, then three operations.
inline double input_gradient_chain(int C) { return C + 2 + 98 + 3; }
// dw: d(pre) as for dx, a tile's 256 pixels, then the partials of every tile of every image.
inline double weight_gradient_chain(int C, long tiles, int N) { return C + 2 + 256 + tiles * N; }

// ---- gradcheck, whole tensors ----

// y and dx.
inline Bound output(int C) { return {ErrorScale::TensorMax, C + 98 + 8.0, 4}; }
inline Bound weight_gradient(long HW, int N) {
  return {ErrorScale::TensorMax, staged_reduction_chain(HW, N), 4};
}

}  // namespace braincam::bounds::spatial_attention
