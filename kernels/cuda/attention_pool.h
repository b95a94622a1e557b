#pragma once
// CAM-guided attention followed by the second 4x4 max pooling, as one op, on a kernel set
// (cuda::Gpu or cuda::Emulated); the maths, the saved tensors and their layouts of
// kernels/cpu/attention_pool.h, and for finite values the same results as the per-op kernels
// (channel_attention, spatial_attention, maxpool4) run in turn, bit for bit except for the sign
// of a zero. It never
// writes the channel-gated F1 or the attention's output A (each N x C x H x W, as large as F),
// nor the pooling's dense gradient: the spatial kernels read F1 as F * channel_gate and the
// gradient of A as dP at the pooling's winners. All sizes at least 1; H and W multiples of 4.
#include <cstdint>

#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

template <class Set>
void attention_pool_forward(float* P, std::int32_t* winners, float* channel_gate, float* desc,
                            std::int32_t* max_index, float* hidden, float* spatial_gate,
                            float* pooled, std::int32_t* max_channel, const float* F,
                            const float* s, const float* w1, const float* b1, const float* w2,
                            const float* b2, const float* ws, int N, int C, int H, int W, int Ch,
                            Stream stream);

template <class Set>
void attention_pool_backward(float* dF, float* dw1, float* db1, float* dw2, float* db2, float* dws,
                             const float* dP, const std::int32_t* winners, const float* F,
                             const float* s, const float* channel_gate, const float* desc,
                             const std::int32_t* max_index, const float* hidden,
                             const float* spatial_gate, const float* pooled,
                             const std::int32_t* max_channel, const float* w1, const float* w2,
                             const float* ws, int N, int C, int H, int W, int Ch, Stream stream);

}  // namespace braincam::cuda
