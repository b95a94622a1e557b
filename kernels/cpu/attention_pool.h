#pragma once
// CAM-guided attention followed by the second 4x4 max pooling, as one op (spec section 2, then
// pool2): P = maxpool4(spatial_attention(channel_attention(F))). This reference runs the three
// ops' CPU references in turn; the model's fast path runs kernels/cuda/attention_pool.h, which
// never writes the channel-gated F1 = F * channel_gate or the attention's output A.
//
// F: N x C x H x W (H, W multiples of 4); s: the CAM guidance N x (H/4 * W/4); the MLP w1 (Ch x
// C), b1 (Ch), w2 (C x Ch), b2 (C); the spatial taps ws (2 x 7 x 7).
#include <cstdint>

namespace braincam::cpu {

// P, winners: N x C x H/4 x W/4, maxpool4's output and argmax (winners may be null, when no
// backward follows). Saved for backward, all written:
// channel_gate, desc, max_index, hidden as channel_attention_forward's gate, desc, max_index,
// hidden; spatial_gate, pooled, max_channel as spatial_attention_forward's gate, pooled,
// max_channel.
template <class T>
void attention_pool_forward(T* P, std::int32_t* winners, T* channel_gate, T* desc,
                            std::int32_t* max_index, T* hidden, T* spatial_gate, T* pooled,
                            std::int32_t* max_channel, const T* F, const T* s, const T* w1,
                            const T* b1, const T* w2, const T* b2, const T* ws, int N, int C, int H,
                            int W, int Ch);

// Gradients from dP; all outputs are overwritten. s is a constant (no gradient).
template <class T>
void attention_pool_backward(T* dF, T* dw1, T* db1, T* dw2, T* db2, T* dws, const T* dP,
                             const std::int32_t* winners, const T* F, const T* s,
                             const T* channel_gate, const T* desc, const std::int32_t* max_index,
                             const T* hidden, const T* spatial_gate, const T* pooled,
                             const std::int32_t* max_channel, const T* w1, const T* w2, const T* ws,
                             int N, int C, int H, int W, int Ch);

}  // namespace braincam::cpu
