#pragma once
// Softmax cross-entropy of logits (N x K) against class indices, mean over the batch, on a kernel
// set (cuda::Gpu or cuda::Emulated); the maths of kernels/cpu/softmax_cross_entropy.h. N and K
// must be at least 1; the caller checks that every label is in [0, K).
#include <cstdint>

#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

template <class Set>
void softmax_cross_entropy_forward(float* loss, const float* z, const std::int64_t* y, int N, int K,
                                   Stream stream);

// dz[n, k] = *dloss * (softmax(z[n])_k - [k == y[n]]) / N; dloss is read on the device.
template <class Set>
void softmax_cross_entropy_backward(float* dz, const float* z, const std::int64_t* y,
                                    const float* dloss, int N, int K, Stream stream);

}  // namespace braincam::cuda
