#pragma once
// attention_pool's bounds: maxpool4(spatial_attention(channel_attention(F))) as one op.
//  - kernel test: the fused kernels against the per-op kernels on the same device. They run the
//    per-op arithmetic in the same order, reading the gated input and the pooling's gradient
//    through readers instead of memory, so P and every gradient are the per-op values (the sign
//    of a zero aside: the fused backward skips zero products).
//  - gradcheck, against the float64 reference on the tensor's largest value: the chains of both
//    attentions (the pooling adds nothing), times 8; the spatial weight gradient's terms carry
//    the channel gate's error too.
#include "kernels/bounds/channel_attention.h"
#include "kernels/bounds/rounding.h"

namespace braincam::bounds::attention_pool {

inline constexpr Bound kAgainstPerOpKernels = kBitwise;

// ---- gradcheck, whole tensors ----

inline double attention_chain(long HW, int C) {
  return channel_attention::plane_chain(HW, C) + C + 98 + 8.0;
}
// P and dF.
inline Bound output(long HW, int C) { return {ErrorScale::TensorMax, attention_chain(HW, C), 8}; }
// dws, the spatial weights' gradient.
inline Bound spatial_weight_gradient(long HW, int C, int N) {
  return {ErrorScale::TensorMax,
          staged_reduction_chain(HW, N) + channel_attention::plane_chain(HW, C), 8};
}
// dw1, db1, dw2, db2.
inline Bound channel_weight_gradient(long HW, int C, int N) {
  return {ErrorScale::TensorMax, attention_chain(HW, C) + N, 8};
}

}  // namespace braincam::bounds::attention_pool
