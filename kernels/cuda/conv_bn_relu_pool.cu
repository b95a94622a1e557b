// The fused first layer: convolution + batchnorm (given statistics) + ReLU + 4x4 max pooling,
// and its sparse backward (the derivation is in kernels/cpu_fast/conv_bn_relu_pool_backward.cpp).
//
// conv_bn_relu_pool_forward_kernel: conv5x5_tile.h's loop over a 16 x 16 tile and 16 channels;
//   the sums h go to shared memory, then one thread per (channel, 4 x 4 window) applies the
//   affine map, keeps the window's first maximum and writes F = relu(max), the winner and h
//   there. Only the pooled outputs reach global memory.
// winner_patch_sums_kernel: one block per (channel, image); threads (tap, group) walk the pooled
//   outputs where g = dF (F > 0) is nonzero-able, summing g * patch value of the winner, g and
//   g * xhat; then the groups are added in order.
// weight_gradient_kernel: one block per channel adds the images in order and applies the closed
//   form dw = k (sparse - dbeta mu - dgamma invstd Sigma w), k = gamma invstd.
#include "kernels/cuda/conv_bn_relu_pool.h"

#include <cmath>

#include "kernels/cuda/conv5x5_tile.h"
#include "kernels/cuda/positive_sizes.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kPool = 4;
constexpr int kWindowsPerTile = kTile / kPool;  // per tile side

__global__ void batchnorm_affine_from_batch_kernel(float* __restrict__ scale,
                                                   float* __restrict__ shift,
                                                   float* __restrict__ batch_mean,
                                                   float* __restrict__ batch_var,
                                                   const double* __restrict__ mean,
                                                   const double* __restrict__ var,
                                                   const float* __restrict__ gamma,
                                                   const float* __restrict__ beta, int K,
                                                   double eps) {
  for (int k = blockIdx.x * blockDim.x + threadIdx.x; k < K; k += gridDim.x * blockDim.x) {
    const double s = gamma[k] / sqrt(var[k] + eps);
    scale[k] = static_cast<float>(s);
    shift[k] = static_cast<float>(beta[k] - mean[k] * s);
    batch_mean[k] = static_cast<float>(mean[k]);
    batch_var[k] = static_cast<float>(var[k]);
  }
}

__global__ void batchnorm_affine_from_running_kernel(float* __restrict__ scale,
                                                     float* __restrict__ shift,
                                                     const float* __restrict__ running_mean,
                                                     const float* __restrict__ running_var,
                                                     const float* __restrict__ gamma,
                                                     const float* __restrict__ beta, int K,
                                                     float eps) {
  for (int k = blockIdx.x * blockDim.x + threadIdx.x; k < K; k += gridDim.x * blockDim.x) {
    scale[k] = gamma[k] / sqrtf(running_var[k] + eps);
    shift[k] = beta[k] - running_mean[k] * scale[k];
  }
}

// Grid: conv5x5_tile_grid(H, W, K, N); block: kTile x kTile.
__global__ void conv_bn_relu_pool_forward_kernel(float* __restrict__ F,
                                                 std::uint8_t* __restrict__ winner,
                                                 float* __restrict__ h_winner,
                                                 const float* __restrict__ x,
                                                 const float* __restrict__ w,
                                                 const float* __restrict__ b,
                                                 const float* __restrict__ scale,
                                                 const float* __restrict__ shift, int C, int H,
                                                 int W, int K) {
  const int tiles_x = (W + kTile - 1) / kTile;
  const int w0 = blockIdx.x % tiles_x * kTile, h0 = blockIdx.x / tiles_x * kTile;
  const int o0 = blockIdx.y * kOutPerBlock, n = blockIdx.z;
  float acc[kOutPerBlock] = {};
  conv5x5_tile_accumulate<false>(acc, x + static_cast<long>(n) * C * H * W, w, C, H, W, K, h0,
                                 w0, o0);

  BRAINCAM_SHARED(float, h_tile, kOutPerBlock * kTile * kTile);  // [o][row][column]
  const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * kTile + tx;
  for (int o = 0; o < kOutPerBlock; ++o)
    h_tile[(o * kTile + ty) * kTile + tx] = acc[o] + (o0 + o < K ? b[o0 + o] : 0.0f);
  __syncthreads();

  // One thread per (channel, window): kOutPerBlock * 16 = 256 = the block.
  const int o = tid / (kWindowsPerTile * kWindowsPerTile), window = tid % (kWindowsPerTile * kWindowsPerTile);
  const int wy = window / kWindowsPerTile, wx = window % kWindowsPerTile;
  const int Ho = H / kPool, Wo = W / kPool, i = h0 / kPool + wy, j = w0 / kPool + wx, k = o0 + o;
  if (k >= K || i >= Ho || j >= Wo) return;
  const float s = scale[k], t = shift[k];
  float best = 0.0f, h_best = 0.0f;
  int best_index = 0;
  for (int r = 0; r < kPool; ++r)
    for (int c = 0; c < kPool; ++c) {
      const float h = h_tile[(o * kTile + wy * kPool + r) * kTile + wx * kPool + c];
      const float y = fmaf(h, s, t);
      if ((r == 0 && c == 0) || y > best) {  // strictly larger: the first maximum stays
        best = y;
        h_best = h;
        best_index = r * kPool + c;
      }
    }
  const long out = ((static_cast<long>(n) * K + k) * Ho + i) * Wo + j;
  F[out] = best > 0.0f ? best : 0.0f;
  if (winner) {
    winner[out] = static_cast<std::uint8_t>(best_index);
    h_winner[out] = h_best;
  }
}

constexpr int kChannels = 3;  // the model's input channels; the backward keeps P sums per thread
constexpr int kPatch = kChannels * kTaps;
constexpr int kGroups = 8;
constexpr int kSums = kPatch + 2;  // the taps, g, g * xhat

// partial[n][k][0..P) = sum over the winners of g * (the winner's patch), [P] = sum g,
// [P + 1] = sum g * xhat, g = dF where F > 0. Grid: (K, N); block: (kPatch, kGroups).
__global__ void winner_patch_sums_kernel(float* __restrict__ partial,
                                         const float* __restrict__ dF, const float* __restrict__ F,
                                         const std::uint8_t* __restrict__ winner,
                                         const float* __restrict__ h_winner,
                                         const float* __restrict__ x,
                                         const double* __restrict__ mean,
                                         const double* __restrict__ var, int H, int W, int K,
                                         double eps) {
  const int k = blockIdx.x, n = blockIdx.y, tap = threadIdx.x, group = threadIdx.y;
  const int c = tap / kTaps, kh = tap / 5 % 5, kw = tap % 5;
  const int Ho = H / kPool, Wo = W / kPool;
  const long base = (static_cast<long>(n) * K + k) * Ho * Wo;
  const float* plane = x + (static_cast<long>(n) * kChannels + c) * H * W;
  const float m = static_cast<float>(mean[k]), invstd = static_cast<float>(1.0 / sqrt(var[k] + eps));
  float patch_sum = 0.0f, g_sum = 0.0f, g_xhat_sum = 0.0f;
  for (int q = group; q < Ho * Wo; q += kGroups) {
    const long o = base + q;
    const float g = F[o] > 0.0f ? dF[o] : 0.0f;
    if (g == 0.0f) continue;  // the same for the whole (tap) row of threads of this group
    const int win = winner[o];
    const int h = q / Wo * kPool + win / kPool + kh - 2, col = q % Wo * kPool + win % kPool + kw - 2;
    if (h >= 0 && h < H && col >= 0 && col < W) patch_sum += g * plane[h * W + col];
    g_sum += g;
    g_xhat_sum += g * ((h_winner[o] - m) * invstd);
  }
  BRAINCAM_SHARED(float, sums, kGroups * kSums);  // [group][sum]
  sums[group * kSums + tap] = patch_sum;
  if (tap == 0) {
    sums[group * kSums + kPatch] = g_sum;
    sums[group * kSums + kPatch + 1] = g_xhat_sum;
  }
  __syncthreads();
  const int flat = group * kPatch + tap;
  if (flat >= kSums) return;
  float total = 0.0f;
  for (int gr = 0; gr < kGroups; ++gr) total += sums[gr * kSums + flat];
  partial[(static_cast<long>(n) * K + k) * kSums + flat] = total;
}

// Grid: K; block: kWeightThreads (>= kPatch).
constexpr int kWeightThreads = 128;
__global__ void weight_gradient_kernel(float* __restrict__ dw, float* __restrict__ db,
                                       float* __restrict__ dgamma, float* __restrict__ dbeta,
                                       const float* __restrict__ partial,
                                       const float* __restrict__ w,
                                       const float* __restrict__ gamma,
                                       const double* __restrict__ var,
                                       const double* __restrict__ patch_mean,
                                       const double* __restrict__ patch_cov, int N, int K,
                                       double eps) {
  const int k = blockIdx.x, t = threadIdx.x;
  double d_beta = 0.0, d_gamma = 0.0, sparse = 0.0;
  for (int n = 0; n < N; ++n) {
    const float* sums = partial + (static_cast<long>(n) * K + k) * kSums;
    d_beta += sums[kPatch];
    d_gamma += sums[kPatch + 1];
    if (t < kPatch) sparse += sums[t];
  }
  const double invstd = 1.0 / sqrt(var[k] + eps), scale = gamma[k] * invstd;
  const float* wk = w + static_cast<long>(k) * kPatch;
  if (t < kPatch) {
    double cov_w = 0.0;
    for (int t2 = 0; t2 < kPatch; ++t2) cov_w += patch_cov[t * kPatch + t2] * wk[t2];
    dw[static_cast<long>(k) * kPatch + t] = static_cast<float>(
        scale * (sparse - d_beta * patch_mean[t] - d_gamma * invstd * cov_w));
  }
  if (t == 0) {
    db[k] = 0.0f;
    dgamma[k] = static_cast<float>(d_gamma);
    dbeta[k] = static_cast<float>(d_beta);
  }
}

void require_pooled_sizes(const char* op, int N, int C, int H, int W, int K) {
  require_positive_sizes(op, {{"N", N}, {"C", C}, {"H", H}, {"W", W}, {"K", K}});
  if (H % kPool || W % kPool)
    throw std::invalid_argument(std::string(op) + ": H and W must be multiples of 4, got " +
                                std::to_string(H) + " x " + std::to_string(W));
}

}  // namespace

template <>
void batchnorm_affine_from_batch<KernelSet>(float* scale, float* shift, float* batch_mean,
                                            float* batch_var, const double* mean,
                                            const double* var, const float* gamma,
                                            const float* beta, int K, double eps, Stream stream) {
  require_positive_sizes("batchnorm_affine_from_batch", {{"K", K}});
  launch(batchnorm_affine_from_batch_kernel, elementwise_grid(K, 128), 128, 0, stream, scale,
         shift, batch_mean, batch_var, mean, var, gamma, beta, K, eps);
}

template <>
void batchnorm_affine_from_running<KernelSet>(float* scale, float* shift,
                                              const float* running_mean,
                                              const float* running_var, const float* gamma,
                                              const float* beta, int K, float eps,
                                              Stream stream) {
  require_positive_sizes("batchnorm_affine_from_running", {{"K", K}});
  launch(batchnorm_affine_from_running_kernel, elementwise_grid(K, 128), 128, 0, stream, scale,
         shift, running_mean, running_var, gamma, beta, K, eps);
}

template <>
void conv_bn_relu_pool_forward<KernelSet>(float* F, std::uint8_t* winner, float* h_winner,
                                          const float* x, const float* w, const float* b,
                                          const float* scale, const float* shift, int N, int C,
                                          int H, int W, int K, Stream stream) {
  require_pooled_sizes("conv_bn_relu_pool_forward", N, C, H, W, K);
  launch(conv_bn_relu_pool_forward_kernel, conv5x5_tile_grid(H, W, K, N), dim3(kTile, kTile), 0,
         stream, F, winner, h_winner, x, w, b, scale, shift, C, H, W, K);
}

template <>
void conv_bn_relu_pool_backward<KernelSet>(float* dw, float* db, float* dgamma, float* dbeta,
                                           const float* dF, const float* F,
                                           const std::uint8_t* winner, const float* h_winner,
                                           const float* x, const float* w, const float* gamma,
                                           const double* mean, const double* var,
                                           const double* patch_mean, const double* patch_cov,
                                           int N, int C, int H, int W, int K, double eps,
                                           Stream stream) {
  require_pooled_sizes("conv_bn_relu_pool_backward", N, C, H, W, K);
  if (C != kChannels)
    throw std::invalid_argument("conv_bn_relu_pool_backward: the GPU kernel takes " +
                                std::to_string(kChannels) + " input channels, got " +
                                std::to_string(C));
  Scratch<float> partial(static_cast<std::size_t>(N) * K * kSums, stream);
  launch(winner_patch_sums_kernel, dim3(K, N), dim3(kPatch, kGroups), 0, stream, partial.data(),
         dF, F, winner, h_winner, x, mean, var, H, W, K, eps);
  launch(weight_gradient_kernel, K, kWeightThreads, 0, stream, dw, db, dgamma, dbeta,
         partial.data(), w, gamma, var, patch_mean, patch_cov, N, K, eps);
}

}  // namespace braincam::cuda
