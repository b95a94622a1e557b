#pragma once
// 5x5 convolution, stride 1, zero padding 2, with bias, on a kernel set (cuda::Gpu or
// cuda::Emulated); the maths of kernels/cpu/conv5x5.h. All sizes must be at least 1.
#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

template <class Set>
void conv5x5_forward(float* y, const float* x, const float* w, const float* b, int N, int C,
                     int H, int W, int K, Stream stream);

// dw and db are overwritten; dx is overwritten unless it is null.
template <class Set>
void conv5x5_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                      const float* w, int N, int C, int H, int W, int K, Stream stream);

}  // namespace braincam::cuda
