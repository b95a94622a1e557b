#pragma once
// Spatial attention on a kernel set (cuda::Gpu or cuda::Emulated); the maths, the saved tensors
// and their layouts of kernels/cpu/spatial_attention.h. All sizes must be at least 1.
#include <cstdint>

#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

template <class Set>
void spatial_attention_forward(float* y, float* gate, float* pooled, std::int32_t* max_channel,
                               const float* x, const float* w, int N, int C, int H, int W,
                               Stream stream);

// Gradients; dx and dw are overwritten.
template <class Set>
void spatial_attention_backward(float* dx, float* dw, const float* dy, const float* x,
                                const float* gate, const float* pooled,
                                const std::int32_t* max_channel, const float* w, int N, int C,
                                int H, int W, Stream stream);

}  // namespace braincam::cuda
