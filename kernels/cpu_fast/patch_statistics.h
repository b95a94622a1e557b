#pragma once
// Mean and covariance of the 5x5 convolution's input patches, and the batch statistics of the
// convolution's output channels, which follow from them without computing the output.
//
// At each of the n = N*H*W output positions p the convolution (zero padding 2) sees the patch
// x_p of P = C*25 input values (taps ordered c, kh, kw like the weights) and outputs
// h_p = w_k . x_p + b_k in channel k. Over all positions, padded ones included:
//   mean_k = w_k . mu + b_k,    var_k = w_k^T Sigma w_k,
// with mu and Sigma the mean and biased covariance of the patches, which depend only on the images.
#include <cstdint>

namespace braincam::cpu_fast {

// patch_mean: P, patch_cov: P x P (row-major), both written; x: N x C x H x W, H >= 4.
// Sums run in double in a fixed order, so the result does not depend on the number of threads.
// The composition of the two below.
void patch_statistics(double* patch_mean, double* patch_cov, const float* x, int N, int C, int H,
                      int W);

// The moments of each image on its own, which depend on nothing else and can be kept per image
// (engine/ops.h, PatchMomentCache), in the layout of kernels/cuda/patch_statistics.h:
// shift: N x C, each image channel's mean; moments: N x (P * P + P), per image the second
// moments of its patches minus the shift (P x P), then their sums (P).
void image_patch_moments(double* moments, float* shift, const float* x, int N, int C, int H, int W);

// patch_mean and patch_cov of a batch from per-image moments: batch image n is entry index[n] of
// moments and shift, or entry n when index is null. The images are merged in batch order, so a
// batch gives the same bits from a cache as from patch_statistics.
void combine_patch_moments(double* patch_mean, double* patch_cov, const double* moments,
                           const float* shift, const std::int32_t* index, int N, int C, int H,
                           int W);

// mean, var (biased): K, written; w: K x P, b: K.
void channel_statistics(double* mean, double* var, const double* patch_mean,
                        const double* patch_cov, const float* w, const float* b, int K, int P);

}  // namespace braincam::cpu_fast
