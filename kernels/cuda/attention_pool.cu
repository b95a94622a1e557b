// The fused attention + pooling is the channel attention's gate (channel_attention.cu) and the
// spatial attention on the gated input with the pooling folded in (spatial_attention.cu):
//   forward:  channel_gate_forward, then spatial_attention_pool_forward (4 kernels; the per-op
//             path runs 6 and writes F1 and A);
//   backward: spatial_attention_pool_backward gives dF1, then channel_attention_backward.
#include "kernels/cuda/attention_pool.h"
#include "kernels/cuda/channel_attention.h"
#include "kernels/cuda/simt.h"
#include "kernels/cuda/spatial_attention.h"

namespace braincam::cuda {

template <>
void attention_pool_forward<KernelSet>(float* P, std::int32_t* winners, float* channel_gate,
                                       float* desc, std::int32_t* max_index, float* hidden,
                                       float* spatial_gate, float* pooled,
                                       std::int32_t* max_channel, const float* F, const float* s,
                                       const float* w1, const float* b1, const float* w2,
                                       const float* b2, const float* ws, int N, int C, int H, int W,
                                       int Ch, Stream stream) {
  channel_gate_forward<KernelSet>(channel_gate, desc, max_index, hidden, F, s, w1, b1, w2, b2, N, C,
                                  H, W, Ch, stream);
  spatial_attention_pool_forward<KernelSet>(P, winners, spatial_gate, pooled, max_channel, F,
                                            channel_gate, ws, N, C, H, W, stream);
}

template <>
void attention_pool_backward<KernelSet>(float* dF, float* dw1, float* db1, float* dw2, float* db2,
                                        float* dws, const float* dP, const std::int32_t* winners,
                                        const float* F, const float* s, const float* channel_gate,
                                        const float* desc, const std::int32_t* max_index,
                                        const float* hidden, const float* spatial_gate,
                                        const float* pooled, const std::int32_t* max_channel,
                                        const float* w1, const float* w2, const float* ws, int N,
                                        int C, int H, int W, int Ch, Stream stream) {
  Scratch<float> dF1(static_cast<std::size_t>(N) * C * H * W, stream);
  spatial_attention_pool_backward<KernelSet>(dF1.data(), dws, dP, winners, F, channel_gate,
                                             spatial_gate, pooled, max_channel, ws, N, C, H, W,
                                             stream);
  channel_attention_backward<KernelSet>(dF, dw1, db1, dw2, db2, dF1.data(), F, s, channel_gate,
                                        desc, max_index, hidden, w1, w2, N, C, H, W, Ch, stream);
}

}  // namespace braincam::cuda
