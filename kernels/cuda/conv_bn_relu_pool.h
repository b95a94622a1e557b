#pragma once
// The fused first layer of the model on a kernel set (cuda::Gpu or cuda::Emulated); the maths of
// kernels/cpu_fast/conv_bn_relu_pool_forward.h and _backward.h, on unpadded images:
//   h = conv5x5(x) + b,  y = scale * h + shift,  F = maxpool4(relu(y)),
// with the batch statistics from patch_statistics.h instead of from h, so the full-resolution
// activation is never stored, and a backward that reads only the pooled winners.
#include <cstdint>

#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

// The batchnorm affine map of each channel: scale = gamma / sqrt(var + eps), shift = beta -
// mean * scale, from the batch statistics (double, from channel_statistics); also writes them
// as float (batch_mean, batch_var) for batchnorm_update_running.
template <class Set>
void batchnorm_affine_from_batch(float* scale, float* shift, float* batch_mean, float* batch_var,
                                 const double* mean, const double* var, const float* gamma,
                                 const float* beta, int K, double eps, Stream stream);

// The same map from the running statistics (evaluation mode), in float like batchnorm_forward_eval.
template <class Set>
void batchnorm_affine_from_running(float* scale, float* shift, const float* running_mean,
                                   const float* running_var, const float* gamma, const float* beta,
                                   int K, float eps, Stream stream);

// F: N x K x H/4 x W/4. When `winner` is not null, also writes, per pooled output, the position
// of its window's first maximum of y (row-major index 0..15 in the 4x4 window) and h_winner, h
// there. x: N x C x H x W; w: K x C x 5 x 5; b, scale, shift: K. H and W: multiples of 4.
template <class Set>
void conv_bn_relu_pool_forward(float* F, std::uint8_t* winner, float* h_winner, const float* x,
                               const float* w, const float* b, const float* scale,
                               const float* shift, int N, int C, int H, int W, int K,
                               Stream stream);

// dw: K x C x 5 x 5, db, dgamma, dbeta: K, all written (db is exactly 0). dF, F, winner,
// h_winner: N x K x H/4 x W/4; mean, var: the batch statistics; patch_mean (P), patch_cov
// (P x P): those of the patches. Per-image partial sums are added in image order.
template <class Set>
void conv_bn_relu_pool_backward(float* dw, float* db, float* dgamma, float* dbeta, const float* dF,
                                const float* F, const std::uint8_t* winner, const float* h_winner,
                                const float* x, const float* w, const float* gamma,
                                const double* mean, const double* var, const double* patch_mean,
                                const double* patch_cov, int N, int C, int H, int W, int K,
                                double eps, Stream stream);

}  // namespace braincam::cuda
