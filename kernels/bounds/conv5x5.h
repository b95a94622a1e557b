#pragma once
// conv5x5's bounds: every output is a sum of products, held to 2·chain·u·Σ|terms| of that element
// (ErrorScale::SumOfMagnitudes), the same chains in the kernel test and in gradcheck.
#include "kernels/bounds/rounding.h"

namespace braincam::bounds::conv5x5 {

// Forward: the 25·C products and the bias in one chain, plus one.
inline double forward_chain(int C) { return 25.0 * C + 2; }

// Input gradient: the 25·K products of dy and the flipped weights, plus one.
inline double input_gradient_chain(int K) { return 25.0 * K + 1; }

// Weight and bias gradients: a thread's share of a band's pixels (counted as of the whole
// plane), the block's shared-memory reduction, then the N·bands partials of the bands of the N
// images in order (conv5x5_weight_bands in kernels/cuda/conv5x5.h). The kernel test passes the
// kernel's own band count; gradcheck's rows pass one band per image, the kernel's choice at the
// model's batch of 32, where the rows are stated. (At the emulator's batch of 2 the kernel cuts
// each image into 6 bands: the row allows a chain of 268 where the kernel's is 278.)
inline double weight_gradient_chain(long pixels, int N, int bands) {
  return staged_reduction_chain(pixels, static_cast<long>(N) * bands);
}

inline Bound forward(int C) { return {ErrorScale::SumOfMagnitudes, forward_chain(C)}; }
inline Bound input_gradient(int K) {
  return {ErrorScale::SumOfMagnitudes, input_gradient_chain(K)};
}
inline Bound weight_gradient(long pixels, int N, int bands) {
  return {ErrorScale::SumOfMagnitudes, weight_gradient_chain(pixels, N, bands)};
}

}  // namespace braincam::bounds::conv5x5
