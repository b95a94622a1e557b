#pragma once
// Mean and covariance of the 5x5 convolution's input patches, and the batch statistics of the
// convolution's output channels, which follow from them without computing the output.
//
// At each of the n = N*H*W output positions p the convolution (zero padding 2) sees the patch
// x_p of P = C*25 input values (taps ordered c, kh, kw like the weights) and outputs
// h_p = w_k . x_p + b_k in channel k. Over all positions, padded ones included:
//   mean_k = w_k . mu + b_k,    var_k = w_k^T Sigma w_k,
// with mu and Sigma the mean and biased covariance of the patches, which depend only on the images.
namespace braincam::cpu_fast {

// patch_mean: P, patch_cov: P x P (row-major), both written; x: N x C x H x W, H >= 4.
// Sums run in double in a fixed order, so the result does not depend on the number of threads.
void patch_statistics(double* patch_mean, double* patch_cov, const float* x, int N, int C, int H,
                      int W);

// mean, var (biased): K, written; w: K x P, b: K.
void channel_statistics(double* mean, double* var, const double* patch_mean,
                        const double* patch_cov, const float* w, const float* b, int K, int P);

}  // namespace braincam::cpu_fast
