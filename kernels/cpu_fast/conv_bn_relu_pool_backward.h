#pragma once
// Gradients of the fused first layer in training mode (conv_bn_relu_pool_forward with the batch
// statistics of patch_statistics.h) with respect to the conv weight and bias and batchnorm's
// gamma and beta. The input gradient is not computed: the model's images need none.
#include <cstdint>

namespace braincam::cpu_fast {

// dw: K x C x 5 x 5, db, dgamma, dbeta: K, all written. dF, F, winner, h_winner: N x K x H/4 x W/4
// (F, winner and h_winner from the forward pass); xp: the padded images; mean, var: the batch
// statistics of the channels; patch_mean (P) and patch_cov (P x P) those of the patches.
// Per-image partial sums are added in image order: no dependence on the number of threads.
void conv_bn_relu_pool_backward(float* dw, float* db, float* dgamma, float* dbeta, const float* dF,
                                const float* F, const std::uint8_t* winner, const float* h_winner,
                                const float* xp, const float* w, const float* gamma,
                                const double* mean, const double* var, const double* patch_mean,
                                const double* patch_cov, int N, int C, int H, int W, int K,
                                double eps);

}  // namespace braincam::cpu_fast
