#pragma once
// CAM-guided channel attention (spec section 2, steps 2-3). x: N x C x H x W, s: the CAM guidance
// N x (H/4 * W/4). Three channel descriptors (mean, max, and the s-weighted 4x4 average) go
// through one shared MLP C -> Ch -> C (w1: Ch x C, b1: Ch, w2: C x Ch, b2: C); the gate is
// sigmoid of the sum of the three MLP outputs and y = x * gate, broadcast over positions.
#include <cstdint>

namespace braincam::cpu {

// What forward saves for backward, all written by forward:
//   gate      N x C        sigmoid(...)
//   desc      3 x N x C    the descriptors a (mean), m (max), g (guided average)
//   max_index N x C        position h*W + w of the first maximum of each plane
//   hidden    3 x N x Ch   the MLP's pre-activations, one set per descriptor
template <class T>
void channel_attention_forward(T* y, T* gate, T* desc, std::int32_t* max_index, T* hidden,
                               const T* x, const T* s, const T* w1, const T* b1, const T* w2,
                               const T* b2, int N, int C, int H, int W, int Ch);

// Gradients; all outputs are overwritten. s is a constant (no gradient).
template <class T>
void channel_attention_backward(T* dx, T* dw1, T* db1, T* dw2, T* db2, const T* dy, const T* x,
                                const T* s, const T* gate, const T* desc,
                                const std::int32_t* max_index, const T* hidden, const T* w1,
                                const T* w2, int N, int C, int H, int W, int Ch);

}  // namespace braincam::cpu
