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

// Spatial attention on the channel-gated input x = F * channel_gate (broadcast over pixels),
// followed by the 4x4 max pooling of y, as the fused attention_pool runs it: x and y are never
// written. P and winners (N x C x H/4 x W/4) are maxpool4's output and winners' indices in the
// plane (winners may be null: not kept); gate, pooled and max_channel are
// spatial_attention_forward's. H and W multiples of 4.
template <class Set>
void spatial_attention_pool_forward(float* P, std::int32_t* winners, float* gate, float* pooled,
                                    std::int32_t* max_channel, const float* F,
                                    const float* channel_gate, const float* w, int N, int C, int H,
                                    int W, Stream stream);

// dx (the gradient of x, N x C x H x W) and dw from dP, the gradient of P, without the pooling's
// dense gradient: the same values as maxpool4_backward then spatial_attention_backward.
template <class Set>
void spatial_attention_pool_backward(float* dx, float* dw, const float* dP,
                                     const std::int32_t* winners, const float* F,
                                     const float* channel_gate, const float* gate,
                                     const float* pooled, const std::int32_t* max_channel,
                                     const float* w, int N, int C, int H, int W, Stream stream);

}  // namespace braincam::cuda
