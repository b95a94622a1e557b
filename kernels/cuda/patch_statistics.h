#pragma once
// Mean and covariance of the 5x5 convolution's input patches, and from them the batch statistics
// of the convolution's output channels, on a kernel set (cuda::Gpu or cuda::Emulated); the maths
// of kernels/cpu_fast/patch_statistics.h (mean_k = w_k . mu + b_k, var_k = w_k^T Sigma w_k).
// Sums run in a fixed order: the results have the same bits on every run.
#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

// patch_mean: P, patch_cov: P x P (row-major), both written; x: N x C x H x W; P = C * 25.
// H and W must be at least 4.
template <class Set>
void patch_statistics(double* patch_mean, double* patch_cov, const float* x, int N, int C, int H,
                      int W, Stream stream);

// mean, var (biased): K, written; w: K x P, b: K.
template <class Set>
void channel_statistics(double* mean, double* var, const double* patch_mean,
                        const double* patch_cov, const float* w, const float* b, int K, int P,
                        Stream stream);

}  // namespace braincam::cuda
