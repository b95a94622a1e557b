#pragma once
// Binary cross-entropy on logits, mean over the batch, on a kernel set (cuda::Gpu or
// cuda::Emulated); the maths of kernels/cpu/bce.h. N must be at least 1.
#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

template <class Set>
void bce_with_logits_forward(float* loss, const float* z, const float* y, int N, Stream stream);

// dz[n] = *dloss * (sigmoid(z[n]) - y[n]) / N; dloss is read on the device.
template <class Set>
void bce_with_logits_backward(float* dz, const float* z, const float* y, const float* dloss, int N,
                              Stream stream);

}  // namespace braincam::cuda
