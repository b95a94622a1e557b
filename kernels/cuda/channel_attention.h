#pragma once
// CAM-guided channel attention on a kernel set (cuda::Gpu or cuda::Emulated); the maths, the
// saved tensors and their layouts of kernels/cpu/channel_attention.h. All sizes must be at
// least 1; H and W multiples of 4.
#include <cstdint>

#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

template <class Set>
void channel_attention_forward(float* y, float* gate, float* desc, std::int32_t* max_index,
                               float* hidden, const float* x, const float* s, const float* w1,
                               const float* b1, const float* w2, const float* b2, int N, int C,
                               int H, int W, int Ch, Stream stream);

// The first half of the forward: the descriptors and the MLP give the gate, without y.
template <class Set>
void channel_gate_forward(float* gate, float* desc, std::int32_t* max_index, float* hidden,
                          const float* x, const float* s, const float* w1, const float* b1,
                          const float* w2, const float* b2, int N, int C, int H, int W, int Ch,
                          Stream stream);

// Gradients; all outputs are overwritten. s is a constant (no gradient).
template <class Set>
void channel_attention_backward(float* dx, float* dw1, float* db1, float* dw2, float* db2,
                                const float* dy, const float* x, const float* s, const float* gate,
                                const float* desc, const std::int32_t* max_index,
                                const float* hidden, const float* w1, const float* w2, int N, int C,
                                int H, int W, int Ch, Stream stream);

}  // namespace braincam::cuda
