#pragma once
// ReLU on a kernel set (cuda::Gpu or cuda::Emulated); the maths of kernels/cpu/relu.h.
#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

template <class Set>
void relu_forward(float* y, const float* x, long n, Stream stream);

template <class Set>
void relu_backward(float* dx, const float* dy, const float* y, long n, Stream stream);

}  // namespace braincam::cuda
