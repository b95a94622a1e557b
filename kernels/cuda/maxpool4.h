#pragma once
// 4x4 max pooling, stride 4, on a kernel set (cuda::Gpu or cuda::Emulated); the maths and the
// argmax convention of kernels/cpu/maxpool4.h.
#include <cstdint>

#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

template <class Set>
void maxpool4_forward(float* y, std::int32_t* argmax, const float* x, int NC, int H, int W,
                      Stream stream);

template <class Set>
void maxpool4_backward(float* dx, const float* dy, const std::int32_t* argmax, int NC, int H, int W,
                       Stream stream);

}  // namespace braincam::cuda
