#pragma once
// Mean and covariance of the 5x5 convolution's input patches, and from them the batch statistics
// of the convolution's output channels, on a kernel set (cuda::Gpu or cuda::Emulated); the maths
// of kernels/cpu_fast/patch_statistics.h (mean_k = w_k . mu + b_k, var_k = w_k^T Sigma w_k).
// Sums run in a fixed order: the results have the same bits on every run.
#include <cstdint>

#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

// patch_mean: P, patch_cov: P x P (row-major), both written; x: N x C x H x W; P = C * 25.
// H and W must be at least 4. The composition of the two below.
template <class Set>
void patch_statistics(double* patch_mean, double* patch_cov, const float* x, int N, int C, int H,
                      int W, Stream stream);

// The moments of each image on its own, which depend on nothing else and can be kept per image:
// shift: N x C, each image channel's mean; moments: N x (P * P + P), per image the second
// moments of its patches minus the shift (P x P), then their sums (P).
inline constexpr int kPatchTaps = 25;  // a 5 x 5 window per channel
inline long image_moments_size(int C) {
  return static_cast<long>(C) * kPatchTaps * (C * kPatchTaps + 1);
}
template <class Set>
void image_patch_moments(double* moments, float* shift, const float* x, int N, int C, int H, int W,
                         Stream stream);

// patch_mean and patch_cov of a batch from per-image moments: batch image n is entry index[n] of
// moments and shift (index in device memory), or entry n when index is null.
template <class Set>
void combine_patch_moments(double* patch_mean, double* patch_cov, const double* moments,
                           const float* shift, const std::int32_t* index, int N, int C, int H,
                           int W, Stream stream);

// mean, var (biased): K, written; w: K x P, b: K.
template <class Set>
void channel_statistics(double* mean, double* var, const double* patch_mean,
                        const double* patch_cov, const float* w, const float* b, int K, int P,
                        Stream stream);

}  // namespace braincam::cuda
