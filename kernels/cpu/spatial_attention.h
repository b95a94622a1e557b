#pragma once
// Spatial attention (spec section 2, step 4). x: N x C x H x W. The channel mean and channel max
// form S (N x 2 x H x W); gate = sigmoid(conv7x7(S)) with w: 2 x 7 x 7, zero padding 3, no bias;
// y = x * gate, broadcast over channels.
#include <cstdint>

namespace braincam::cpu {

// Saved for backward: gate (N x H x W), pooled = S (N x 2 x H x W), max_channel (N x H x W, the
// first channel holding the maximum).
template <class T>
void spatial_attention_forward(T* y, T* gate, T* pooled, std::int32_t* max_channel, const T* x,
                               const T* w, int N, int C, int H, int W);

// Gradients; dx and dw are overwritten.
template <class T>
void spatial_attention_backward(T* dx, T* dw, const T* dy, const T* x, const T* gate,
                                const T* pooled, const std::int32_t* max_channel, const T* w, int N,
                                int C, int H, int W);

}  // namespace braincam::cpu
