#pragma once
// linear's bounds: every output is a sum of products, held to 2·chain·u·Σ|terms| of that element
// (ErrorScale::SumOfMagnitudes), the same chains in the kernel test and in gradcheck.
#include "kernels/bounds/rounding.h"

namespace braincam::bounds::linear {

// Forward: a block sum over the In inputs, then the bias.
inline double forward_chain(long In) { return block_sum_chain(In) + 1; }
// dx: dy·w over the Out outputs in order.
inline double input_gradient_chain(int Out) { return Out; }
// dw and db: over the N images in order.
inline double weight_gradient_chain(int N) { return N; }

inline Bound forward(long In) { return {ErrorScale::SumOfMagnitudes, forward_chain(In)}; }
inline Bound input_gradient(int Out) {
  return {ErrorScale::SumOfMagnitudes, input_gradient_chain(Out)};
}
inline Bound weight_gradient(int N) {
  return {ErrorScale::SumOfMagnitudes, weight_gradient_chain(N)};
}

}  // namespace braincam::bounds::linear
