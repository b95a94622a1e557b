#pragma once
// The fused first layer of the model, forward: 5x5 convolution (zero padding 2, bias), a
// per-channel affine map (batchnorm with given statistics), ReLU and 4x4 max pooling, in one
// pass that never stores the full-resolution activation:
//   h = conv(x) + b,  y = scale * h + shift,  F = maxpool4(relu(y)).
// Each output is computed independently, so results do not depend on the number of threads,
// nor on the vector width.
#include <cstdint>

namespace braincam::cpu_fast {

enum class SimdWidth { Avx2, Avx512 };

// The widest vectors this CPU runs (AVX-512 when it has AVX-512F).
SimdWidth best_simd_width();

// F: N x K x H/4 x W/4. When `winner` is not null, also writes, per pooled output, the position
// of its window's first maximum of y (row-major index 0..15 in the 4x4 window), and h_winner, h
// at that position; ReLU is monotone, so where F > 0 that is the reference's winner.
// xp: the padded images (padded_images.h); w: K x C x 5 x 5; b, scale, shift: K.
// H must be a multiple of 4 and W of 16.
void conv_bn_relu_pool_forward(float* F, std::uint8_t* winner, float* h_winner, const float* xp,
                               const float* w, const float* b, const float* scale,
                               const float* shift, int N, int C, int H, int W, int K,
                               SimdWidth width = best_simd_width());

// The two instantiations, each in a file compiled for its instruction set. Their parameters hold
// K_padded channels, a multiple of kChannelBlock with zeros past K.
constexpr int kChannelBlock = 4;
void conv_bn_relu_pool_forward_avx2(float* F, std::uint8_t* winner, float* h_winner,
                                    const float* xp, const float* w, const float* b,
                                    const float* scale, const float* shift, int N, int C, int H,
                                    int W, int K, int K_padded);
void conv_bn_relu_pool_forward_avx512(float* F, std::uint8_t* winner, float* h_winner,
                                      const float* xp, const float* w, const float* b,
                                      const float* scale, const float* shift, int N, int C, int H,
                                      int W, int K, int K_padded);

}  // namespace braincam::cpu_fast
