// The fused first layer: convolution + batchnorm (given statistics) + ReLU + 4x4 max pooling,
// and its sparse backward (the derivation is in kernels/cpu_fast/conv_bn_relu_pool_backward.cpp).
//
// conv_bn_relu_pool_forward_kernel: conv5x5_tile.h's loop over a 16 x 16 tile and 16 channels,
//   each thread 4 rows of one column: one column of a 4 x 4 pooling window. It applies the
//   affine map, keeps its column's first maximum, settles the window's with its 3 neighbour
//   lanes and writes F = relu(max), the winner and h there. Only the pooled outputs reach global
//   memory.
// winner_patch_sums_kernel: one block per (image, band of 8 rows of pooled windows, 4 channels),
//   a thread per (tap, channel); tile by tile along the band the block stages the input pixels
//   under the windows and each window's g (dF where F > 0), g * xhat and winner in shared
//   memory, and each thread adds g times its tap of each winner's patch, and g and g * xhat,
//   into per-(image, band) partial sums.
// weight_gradient_kernel: one block per channel adds the partials (block_sum_each) and applies
//   the closed form dw = k (sparse - dbeta mu - dgamma invstd Sigma w), k = gamma invstd.
#include "kernels/cuda/conv_bn_relu_pool.h"

#include <cmath>

#include "kernels/cuda/block_reduce.h"
#include "kernels/cuda/conv5x5_tile.h"
#include "kernels/cuda/positive_sizes.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kPool = 4;

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

// Grid and block: conv5x5_tile_grid(H, W, K, N), conv5x5_tile_block(). A thread holds 4 rows of
// one column, i.e. one column of a pooling window; the window's 4 columns are 4 adjacent lanes,
// which settle the window's first maximum by two shuffles.
__global__ void conv_bn_relu_pool_forward_kernel(float* __restrict__ F,
                                                 std::uint8_t* __restrict__ winner,
                                                 float* __restrict__ h_winner,
                                                 const float* __restrict__ x,
                                                 const float* __restrict__ w,
                                                 const float* __restrict__ b,
                                                 const float* __restrict__ scale,
                                                 const float* __restrict__ shift, int C, int H,
                                                 int W, int K) {
  static_assert(kRowsPerThread == kPool, "a thread holds one column of a pooling window");
  const int tiles_x = (W + kTile - 1) / kTile;
  const int w0 = blockIdx.x % tiles_x * kTile, h0 = blockIdx.x / tiles_x * kTile;
  const int o0 = blockIdx.y * kOutPerBlock, n = blockIdx.z;
  float acc[kRowsPerThread][kOutPerBlock] = {};
  conv5x5_tile_accumulate<false>(acc, x + static_cast<long>(n) * C * H * W, w, C, H, W, K, h0,
                                 w0, o0);

  const int tx = threadIdx.x, column = tx % kPool;
  const int Ho = H / kPool, Wo = W / kPool, i = h0 / kPool + threadIdx.y, j = (w0 + tx) / kPool;
  const bool writes = column == 0 && i < Ho && j < Wo;
  BRAINCAM_UNROLL
  for (int o = 0; o < kOutPerBlock; ++o) {
    const int k = o0 + o;
    const bool channel = k < K;  // uniform over the block: every lane takes part in the shuffles
    const float bias = channel ? b[k] : 0.0f, s = channel ? scale[k] : 0.0f,
                t = channel ? shift[k] : 0.0f;
    // This column's first maximum over the 4 rows, then the window's over the 4 lanes.
    ValueIndex best{fmaf(acc[0][o] + bias, s, t), column};
    float h_best = acc[0][o] + bias;
    BRAINCAM_UNROLL
    for (int r = 1; r < kRowsPerThread; ++r) {
      const float h = acc[r][o] + bias, y = fmaf(h, s, t);
      if (y > best.value) {
        best = {y, r * kPool + column};
        h_best = h;
      }
    }
    for (int lanes = 1; lanes < kPool; lanes *= 2) {
      const ValueIndex other{__shfl_xor_sync(kFullWarp, best.value, lanes),
                             __shfl_xor_sync(kFullWarp, best.index, lanes)};
      const float other_h = __shfl_xor_sync(kFullWarp, h_best, lanes);
      if (other.value > best.value || (other.value == best.value && other.index < best.index)) {
        best = other;  // the first maximum in row-major order
        h_best = other_h;
      }
    }
    if (!writes || !channel) continue;
    const long out = ((static_cast<long>(n) * K + k) * Ho + i) * Wo + j;
    F[out] = best.value > 0.0f ? best.value : 0.0f;
    if (winner) {
      winner[out] = static_cast<std::uint8_t>(best.index);
      h_winner[out] = h_best;
    }
  }
}

constexpr int kChannels = 3;  // the model's input channels
constexpr int kPatch = kChannels * kTaps;
constexpr int kSums = kPatch + 2;  // the taps, g, g * xhat
constexpr int kWindowTile = 8;     // pooled windows per side of a staged tile
constexpr int kWindowChannels = 4;  // output channels per block (300 threads: 3 blocks per SM)
constexpr int kStage = kWindowTile * kPool + 4;  // staged rows (columns): the windows' pixels and the halo

// partial[n][band][k][0..P) = sum over the winners in band `band` (kWindowTile rows of windows)
// of g * (the winner's patch), [P] = sum g, [P + 1] = sum g * xhat, g = dF where F > 0.
// Grid: (bands, ceil(K / kWindowChannels), N); block: (kPatch, kWindowChannels), a thread per
// (tap, channel). The block walks its band tile by tile. For each tile it first stages, with
// coalesced loads, the input pixels under the windows (all channels, with the 2-pixel halo, zero
// outside the image) and, per channel and window, g, g * xhat and the winner; then each thread
// adds g times its tap of each winner's patch reading shared memory only.
__global__ void winner_patch_sums_kernel(float* __restrict__ partial,
                                         const float* __restrict__ dF, const float* __restrict__ F,
                                         const std::uint8_t* __restrict__ winner,
                                         const float* __restrict__ h_winner,
                                         const float* __restrict__ x,
                                         const double* __restrict__ mean,
                                         const double* __restrict__ var, int H, int W, int K,
                                         double eps) {
  constexpr int kWindows = kWindowTile * kWindowTile;
  BRAINCAM_SHARED(float, tile, kChannels * kStage * kStage);  // [c][row][column]
  BRAINCAM_SHARED(float, g_stage, kWindowChannels * kWindows);   // [channel][window]
  BRAINCAM_SHARED(float, gx_stage, kWindowChannels * kWindows);  // g * xhat
  BRAINCAM_SHARED(int, winner_stage, kWindowChannels * kWindows);
  const int band = blockIdx.x, bands = gridDim.x, k0 = blockIdx.y * kWindowChannels, n = blockIdx.z;
  const int k = k0 + threadIdx.y, tap = threadIdx.x;
  const int c = tap / kTaps, kh = tap / 5 % 5, kw = tap % 5;
  const int tid = threadIdx.y * kPatch + tap, threads = kPatch * kWindowChannels;
  const int Ho = H / kPool, Wo = W / kPool, i0 = band * kWindowTile;
  const float* image = x + static_cast<long>(n) * kChannels * H * W;
  float patch_sum = 0.0f, g_sum = 0.0f, g_xhat_sum = 0.0f;
  for (int j0 = 0; j0 < Wo; j0 += kWindowTile) {
    for (int e = tid; e < kChannels * kStage * kStage; e += threads) {
      const int cc = e / (kStage * kStage), h = kPool * i0 - 2 + e / kStage % kStage,
                col = kPool * j0 - 2 + e % kStage;
      tile[e] = h >= 0 && h < H && col >= 0 && col < W
                    ? image[(static_cast<long>(cc) * H + h) * W + col]
                    : 0.0f;
    }
    for (int e = tid; e < kWindowChannels * kWindows; e += threads) {
      const int kk = k0 + e / kWindows, i = i0 + e % kWindows / kWindowTile,
                j = j0 + e % kWindowTile;
      float g = 0.0f, gx = 0.0f;
      int win = 0;
      if (kk < K && i < Ho && j < Wo) {
        const long o = ((static_cast<long>(n) * K + kk) * Ho + i) * Wo + j;
        g = F[o] > 0.0f ? dF[o] : 0.0f;
        const float invstd = static_cast<float>(1.0 / sqrt(var[kk] + eps));
        gx = g * ((h_winner[o] - static_cast<float>(mean[kk])) * invstd);
        win = winner[o];
      }
      g_stage[e] = g;
      gx_stage[e] = gx;
      winner_stage[e] = win;
    }
    __syncthreads();
    const int base = threadIdx.y * kWindows;
    for (int w = 0; w < kWindows; ++w) {
      const float g = g_stage[base + w];
      if (g == 0.0f) continue;  // no gradient here, or a window outside the map
      const int win = winner_stage[base + w];
      // The winner's tap (c, kh, kw) in staged coordinates.
      const int r = kPool * (w / kWindowTile) + win / kPool + kh,
                q = kPool * (w % kWindowTile) + win % kPool + kw;
      patch_sum += g * tile[(c * kStage + r) * kStage + q];
      g_sum += g;
      g_xhat_sum += gx_stage[base + w];
    }
    __syncthreads();  // the next tile overwrites the stage
  }
  if (k >= K) return;
  float* out = partial + ((static_cast<long>(n) * bands + band) * K + k) * kSums;
  out[tap] = patch_sum;
  if (tap == 0) {
    out[kPatch] = g_sum;
    out[kPatch + 1] = g_xhat_sum;
  }
}

// Grid: K; block: kWeightThreads. Each thread adds a share of the (image, band) partials of
// channel k, block_sum_each adds the threads' sums in double; then the closed form.
constexpr int kWeightThreads = 256;
__global__ void weight_gradient_kernel(float* __restrict__ dw, float* __restrict__ db,
                                       float* __restrict__ dgamma, float* __restrict__ dbeta,
                                       const float* __restrict__ partial,
                                       const float* __restrict__ w,
                                       const float* __restrict__ gamma,
                                       const double* __restrict__ var,
                                       const double* __restrict__ patch_mean,
                                       const double* __restrict__ patch_cov, int parts, int K,
                                       double eps) {
  const int k = blockIdx.x, t = threadIdx.x;
  float sums[kSums] = {};
  for (int part = t; part < parts; part += kWeightThreads) {
    const float* p = partial + (static_cast<long>(part) * K + k) * kSums;
    BRAINCAM_UNROLL
    for (int s = 0; s < kSums; ++s) sums[s] += p[s];
  }
  BRAINCAM_SHARED(double, totals, kSums);
  block_sum_each<kWeightThreads>(totals, sums);
  const double d_beta = totals[kPatch], d_gamma = totals[kPatch + 1];
  const double invstd = 1.0 / sqrt(var[k] + eps), scale = gamma[k] * invstd;
  const float* wk = w + static_cast<long>(k) * kPatch;
  if (t < kPatch) {
    double cov_w = 0.0;
    for (int t2 = 0; t2 < kPatch; ++t2) cov_w += patch_cov[t * kPatch + t2] * wk[t2];
    dw[static_cast<long>(k) * kPatch + t] = static_cast<float>(
        scale * (totals[t] - d_beta * patch_mean[t] - d_gamma * invstd * cov_w));
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
  launch(conv_bn_relu_pool_forward_kernel, conv5x5_tile_grid(H, W, K, N), conv5x5_tile_block(), 0,
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
  const int bands = (H / kPool + kWindowTile - 1) / kWindowTile, parts = N * bands;
  Scratch<float> partial(static_cast<std::size_t>(parts) * K * kSums, stream);
  launch(winner_patch_sums_kernel,
         dim3(bands, (K + kWindowChannels - 1) / kWindowChannels, N), dim3(kPatch, kWindowChannels),
         0, stream, partial.data(), dF, F, winner, h_winner, x, mean, var, H, W, K, eps);
  launch(weight_gradient_kernel, K, kWeightThreads, 0, stream, dw, db, dgamma, dbeta,
         partial.data(), w, gamma, var, patch_mean, patch_cov, parts, K, eps);
}

}  // namespace braincam::cuda
