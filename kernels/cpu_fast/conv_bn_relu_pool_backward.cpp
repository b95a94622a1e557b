// The backward pass without the full-resolution gradient.
//
// Let y = gamma * xhat + beta, xhat_p = (h_p - mean) * invstd, over the n = N*H*W positions p of a
// channel. The gradient g of y is nonzero only where pooling picked a position and ReLU passed
// it (F > 0): one position in 16 at most. Batchnorm's backward gives
//   dbeta = sum_p g_p,  dgamma = sum_p g_p xhat_p,
//   dh_p = k (g_p - dbeta / n - xhat_p dgamma / n),  k = gamma * invstd,
// and the conv weight gradient dw = sum_p dh_p x_p (x_p the input patch) splits into
//   k sum_p g_p x_p                     sparse: only the pooled winners
//   - k (dbeta / n) sum_p x_p           = - k dbeta mu
//   - k (dgamma / n) sum_p xhat_p x_p   = - k dgamma invstd Sigma w,
// since h_p - mean = w . (x_p - mu) and sum_p x_p (x_p - mu)^T = n Sigma (mu, Sigma: the patch
// mean and covariance). The bias gradient sum_p dh_p = k dbeta - k dbeta - k dgamma/n sum_p xhat_p
// is exactly 0 (batchnorm removes any per-channel constant); it is written as 0.
#include "kernels/cpu_fast/conv_bn_relu_pool_backward.h"

#include <immintrin.h>

#include <cmath>
#include <vector>

#include "kernels/cpu_fast/padded_images.h"

namespace braincam::cpu_fast {

namespace {

constexpr int kSize = 5, kTaps = 25, kPool = 4, kLanes = 8;
using v8f = float __attribute__((vector_size(4 * kLanes)));

inline v8f load8(const float* p) {
  v8f v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace

void conv_bn_relu_pool_backward(float* dw, float* db, float* dgamma, float* dbeta, const float* dF,
                                const float* F, const std::uint8_t* winner, const float* h_winner,
                                const float* xp, const float* w, const float* gamma,
                                const double* mean, const double* var, const double* patch_mean,
                                const double* patch_cov, int N, int C, int H, int W, int K,
                                double eps) {
  const int Hp = padded_rows(H), Wp = padded_cols(W), Ho = H / kPool, Wo = W / kPool;
  const int P = C * kTaps;
  const long plane = static_cast<long>(Hp) * Wp, pooled = static_cast<long>(Ho) * Wo;
  std::vector<double> invstd(K);
  for (int k = 0; k < K; ++k) invstd[k] = 1.0 / std::sqrt(var[k] + eps);

  // Per image and channel: sum g x_p over the winners (P), sum g and sum g xhat.
  std::vector<double> patch_sums(static_cast<std::size_t>(N) * K * P), sum_g(N * K),
      sum_g_xhat(N * K);
#pragma omp parallel
  {
    // g at each window's winner, its xhat, and the offset of its patch in a padded plane.
    std::vector<float> g(pooled);
    std::vector<double> xhat(pooled);
    std::vector<long> offset(pooled);
#pragma omp for schedule(static)
    for (int n = 0; n < N; ++n)
      for (int k = 0; k < K; ++k) {
        const long base = (static_cast<long>(n) * K + k) * pooled;
        // First every window's values, in a loop without dependences between windows that the
        // compiler vectorizes, then the two sums in window order. (In one loop with the sums, the
        // compiler made the choice of g a branch, which the data make unpredictable.)
        for (int i = 0; i < Ho; ++i)
          for (int j = 0; j < Wo; ++j) {
            const long q = static_cast<long>(i) * Wo + j, o = base + q;
            // Branch-free: most windows pass, and a zero g adds exact zeros below.
            g[q] = F[o] > 0.0f ? dF[o] : 0.0f;
            xhat[q] = (h_winner[o] - mean[k]) * invstd[k];
            // The winner's patch starts at padded row h, column v (output position h, v).
            const int h = kPool * i + winner[o] / kPool, v = kPool * j + winner[o] % kPool;
            offset[q] = static_cast<long>(h) * Wp + v;
          }
        double s_g = 0, s_g_xhat = 0;
        for (long q = 0; q < pooled; ++q) {
          s_g += g[q];
          s_g_xhat = std::fma(static_cast<double>(g[q]), xhat[q], s_g_xhat);
        }
        sum_g[n * K + k] = s_g;
        sum_g_xhat[n * K + k] = s_g_xhat;
        // The 5 taps of each patch row in lanes 0..4 of one vector per kernel row; two sets of
        // accumulators (even and odd windows; pooled is even) halve the chains of dependent FMAs.
        double* sums = patch_sums.data() + (static_cast<long>(n) * K + k) * P;
        for (int c = 0; c < C; ++c) {
          const float* image = xp + (static_cast<long>(n) * C + c) * plane;
          v8f even[kSize] = {}, odd[kSize] = {};
          for (long q = 0; q < pooled; q += 2) {
            const v8f g_even = _mm256_set1_ps(g[q]), g_odd = _mm256_set1_ps(g[q + 1]);
            for (int kh = 0; kh < kSize; ++kh) {
              even[kh] = _mm256_fmadd_ps(g_even, load8(image + offset[q] + kh * Wp), even[kh]);
              odd[kh] = _mm256_fmadd_ps(g_odd, load8(image + offset[q + 1] + kh * Wp), odd[kh]);
            }
          }
          for (int kh = 0; kh < kSize; ++kh)
            for (int kw = 0; kw < kSize; ++kw)
              sums[c * kTaps + kh * kSize + kw] = static_cast<double>(even[kh][kw]) + odd[kh][kw];
        }
      }
  }

  for (int k = 0; k < K; ++k) {
    std::vector<double> sparse(P, 0.0);
    double d_beta = 0, d_gamma = 0;
    for (int n = 0; n < N; ++n) {
      const double* sums = patch_sums.data() + (static_cast<long>(n) * K + k) * P;
      for (int t = 0; t < P; ++t) sparse[t] += sums[t];
      d_beta += sum_g[n * K + k];
      d_gamma += sum_g_xhat[n * K + k];
    }
    const double scale = gamma[k] * invstd[k];
    const float* wk = w + static_cast<long>(k) * P;
    for (int t1 = 0; t1 < P; ++t1) {
      double cov_w = 0;
      for (int t2 = 0; t2 < P; ++t2) cov_w += patch_cov[t1 * P + t2] * wk[t2];
      dw[static_cast<long>(k) * P + t1] = static_cast<float>(
          scale * (sparse[t1] - d_beta * patch_mean[t1] - d_gamma * invstd[k] * cov_w));
    }
    db[k] = 0.0f;
    dgamma[k] = static_cast<float>(d_gamma);
    dbeta[k] = static_cast<float>(d_beta);
  }
}

}  // namespace braincam::cpu_fast
