#pragma once
// Fully connected layer y[n, o] = b[o] + sum_i w[o, i] * x[n, i] (x: N x In, w: Out x In) on a
// kernel set (cuda::Gpu or cuda::Emulated); the maths of kernels/cpu/linear.h. All sizes must be
// at least 1.
#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

template <class Set>
void linear_forward(float* y, const float* x, const float* w, const float* b, int N, int In,
                    int Out, Stream stream);

// Gradients; dw and db are overwritten, and dx unless it is null.
template <class Set>
void linear_backward(float* dx, float* dw, float* db, const float* dy, const float* x,
                     const float* w, int N, int In, int Out, Stream stream);

}  // namespace braincam::cuda
