#pragma once
// 5x5 convolution, stride 1, zero padding 2, with bias, on a kernel set (cuda::Gpu or
// cuda::Emulated); the maths of kernels/cpu/conv5x5.h. All sizes must be at least 1.
#include <algorithm>

#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

template <class Set>
void conv5x5_forward(float* y, const float* x, const float* w, const float* b, int N, int C, int H,
                     int W, int K, Stream stream);

// dw and db are overwritten; dx is overwritten unless it is null.
template <class Set>
void conv5x5_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                      const float* w, int N, int C, int H, int W, int K, Stream stream);

// The bands of rows the weight gradient cuts each image into, each band's sums being one partial
// sum of the result: 1 when the C x K x N blocks of one band per image fill the GPU, else up to
// enough for about 1,024 blocks (batch 1 has 96), at most ceil(H / 4) bands of ceil(H / bands)
// rows each.
inline int conv5x5_weight_bands(int N, int C, int K, int H) {
  constexpr long kTargetBlocks = 1024, kRowsPerBand = 4;
  const long blocks = static_cast<long>(N) * C * K;
  const long wanted = (kTargetBlocks + blocks - 1) / blocks;
  const long most = (H + kRowsPerBand - 1) / kRowsPerBand;
  const int bands = static_cast<int>(std::max(1L, std::min(wanted, most)));
  const int rows = (H + bands - 1) / bands;
  return (H + rows - 1) / rows;
}

}  // namespace braincam::cuda
