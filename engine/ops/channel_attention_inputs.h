#pragma once
// The shapes channel attention takes, checked by both ops that run it (channel_attention and
// attention_pool): the guidance N x (H/4 * W/4) and the shared MLP C -> Ch -> C.
#include <string>

#include "engine/tensor.h"

namespace braincam {

inline void check_channel_attention_inputs(const std::string& op, const Tensor& guidance,
                                           const Tensor& w1, const Tensor& b1, const Tensor& w2,
                                           const Tensor& b2, int N, int C, int H, int W) {
  const int Ch = w1.dim(0);
  check_shape(guidance, {N, (H / 4) * (W / 4)}, (op + " guidance").c_str());
  check_shape(w1, {Ch, C}, (op + " mlp.0.weight").c_str());
  check_shape(b1, {Ch}, (op + " mlp.0.bias").c_str());
  check_shape(w2, {C, Ch}, (op + " mlp.2.weight").c_str());
  check_shape(b2, {C}, (op + " mlp.2.bias").c_str());
}

}  // namespace braincam
