#pragma once
// Batch normalization per channel over (N, H, W), NCHW with HW = H*W, on a kernel set (cuda::Gpu
// or cuda::Emulated); the maths of kernels/cpu/batchnorm.h. All sizes must be at least 1.
#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

// Writes y and the batch statistics mean[C] and var[C] (biased), which backward needs.
template <class Set>
void batchnorm_forward_train(float* y, float* mean, float* var, const float* x, const float* gamma,
                             const float* beta, int N, int C, int HW, float eps, Stream stream);

// running <- (1 - momentum) * running + momentum * batch, with the unbiased variance
// var * n / (n - 1), n = N*H*W (PyTorch's rule).
template <class Set>
void batchnorm_update_running(float* running_mean, float* running_var, const float* mean,
                              const float* var, int C, long n, float momentum, Stream stream);

template <class Set>
void batchnorm_forward_eval(float* y, const float* x, const float* gamma, const float* beta,
                            const float* running_mean, const float* running_var, int N, int C,
                            int HW, float eps, Stream stream);

// Gradients of batchnorm_forward_train; dx, dgamma, dbeta are overwritten.
template <class Set>
void batchnorm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* x,
                        const float* mean, const float* var, const float* gamma, int N, int C,
                        int HW, float eps, Stream stream);

}  // namespace braincam::cuda
