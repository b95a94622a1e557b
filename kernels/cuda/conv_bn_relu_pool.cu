// The fused first layer: convolution + batchnorm (given statistics) + ReLU + 4x4 max pooling,
// and its sparse backward (the derivation is in kernels/cpu_fast/conv_bn_relu_pool_backward.cpp).
//
// conv_bn_relu_pool_forward_kernel: conv5x5_tile.h's loop over a 16 x 16 tile and 16 channels,
//   each thread 4 rows of one column: one column of a 4 x 4 pooling window. It applies the
//   affine map, keeps its column's first maximum, settles the window's with its 3 neighbour
//   lanes and writes F = relu(max), the winner and h there. Only the pooled outputs reach global
//   memory.
// winner_patch_sums_kernel: one block per (channel, image); each warp walks a share of the
//   pooled outputs where g = dF (F > 0) is nonzero, a window at a time, each lane summing its
//   taps of g times the winner's patch (or g, or g * xhat) in double; then the block adds the
//   warps' sums in a fixed order.
// weight_gradient_kernel: one block per channel adds the images in order and applies the closed
//   form dw = k (sparse - dbeta mu - dgamma invstd Sigma w), k = gamma invstd.
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
__global__ void __launch_bounds__(kTileThreads, kTileBlocksPerSM)
conv_bn_relu_pool_forward_kernel(float* __restrict__ F, std::uint8_t* __restrict__ winner,
                                 float* __restrict__ h_winner, const float* __restrict__ x,
                                 const float* __restrict__ w, const float* __restrict__ b,
                                 const float* __restrict__ scale, const float* __restrict__ shift,
                                 int C, int H, int W, int K) {
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
constexpr int kPatchThreads = 256, kPatchWarps = kPatchThreads / 32;
constexpr int kSumsPerLane = (kSums + 31) / 32;  // lane l keeps sums l, l + 32, l + 64

// partial[n][k][0..P) = sum over the winners of g * (the winner's patch), [P] = sum g,
// [P + 1] = sum g * xhat, g = dF where F > 0. Grid: (K, N); block: kPatchThreads.
//
// A warp takes the pooled outputs 32 at a time: each lane stages one window's g, g * xhat and
// patch corner in shared memory, then the warp walks the 32 windows together, lane l adding the
// window's value of sums l, l + 32 and l + 64 (a tap, or g or g * xhat) to its own accumulators.
// So the lanes of one load read one patch, a few cache lines, where a thread per window would
// read 32 patches, 32 lines per load. The warps' accumulators are added in warp order.
__global__ void winner_patch_sums_kernel(double* __restrict__ partial,
                                         const float* __restrict__ dF, const float* __restrict__ F,
                                         const std::uint8_t* __restrict__ winner,
                                         const float* __restrict__ h_winner,
                                         const float* __restrict__ x,
                                         const double* __restrict__ mean,
                                         const double* __restrict__ var, int H, int W, int K,
                                         double eps) {
  const int k = blockIdx.x, n = blockIdx.y, lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const int Ho = H / kPool, Wo = W / kPool, windows = Ho * Wo;
  const long base = (static_cast<long>(n) * K + k) * windows;
  const float* image = x + static_cast<long>(n) * kChannels * H * W;
  const float m = static_cast<float>(mean[k]), invstd = static_cast<float>(1.0 / sqrt(var[k] + eps));

  // This lane's sums: for a tap, its channel's plane and its offset in the patch.
  int tap_row[kSumsPerLane], tap_col[kSumsPerLane];
  const float* tap_plane[kSumsPerLane];
  BRAINCAM_UNROLL
  for (int j = 0; j < kSumsPerLane; ++j) {
    const int t = lane + 32 * j, tap = t % kTaps;
    tap_plane[j] = image + static_cast<long>(t < kPatch ? t / kTaps : 0) * H * W;
    tap_row[j] = tap / 5;
    tap_col[j] = tap % 5;
  }
  double acc[kSumsPerLane] = {};

  using Staged = float[32];
  BRAINCAM_SHARED(Staged, staged_g, kPatchWarps);
  BRAINCAM_SHARED(Staged, staged_gx, kPatchWarps);
  using Corner = int[32];
  BRAINCAM_SHARED(Corner, staged_h0, kPatchWarps);  // the patch's top row and left column
  BRAINCAM_SHARED(Corner, staged_w0, kPatchWarps);
  for (int q0 = warp * 32; q0 < windows; q0 += kPatchThreads) {
    const int q = q0 + lane;
    float g = 0.0f, gx = 0.0f;
    int top = 0, left = 0;
    if (q < windows) {
      const long o = base + q;
      g = F[o] > 0.0f ? dF[o] : 0.0f;
      gx = g * ((h_winner[o] - m) * invstd);
      const int win = winner[o];
      top = q / Wo * kPool + win / kPool - 2;
      left = q % Wo * kPool + win % kPool - 2;
    }
    staged_g[warp][lane] = g;
    staged_gx[warp][lane] = gx;
    staged_h0[warp][lane] = top;
    staged_w0[warp][lane] = left;
    __syncwarp();
    for (int e = 0; e < 32; ++e) {
      const float ge = staged_g[warp][e];
      if (ge == 0.0f) continue;  // the same for every lane
      const int h0 = staged_h0[warp][e], w0 = staged_w0[warp][e];
      BRAINCAM_UNROLL
      for (int j = 0; j < kSumsPerLane; ++j) {
        const int t = lane + 32 * j;
        float value = 0.0f;
        if (t < kPatch) {
          const int h = h0 + tap_row[j], col = w0 + tap_col[j];
          if (h >= 0 && h < H && col >= 0 && col < W)
            value = ge * tap_plane[j][static_cast<long>(h) * W + col];
        } else if (t == kPatch) {
          value = ge;
        } else if (t == kPatch + 1) {
          value = staged_gx[warp][e];
        }
        acc[j] += value;
      }
    }
    __syncwarp();
  }

  using WarpSums = double[kSums];
  BRAINCAM_SHARED(WarpSums, warp_sums, kPatchWarps);
  BRAINCAM_UNROLL
  for (int j = 0; j < kSumsPerLane; ++j)
    if (lane + 32 * j < kSums) warp_sums[warp][lane + 32 * j] = acc[j];
  __syncthreads();
  for (int t = threadIdx.x; t < kSums; t += kPatchThreads) {
    double total = 0.0;
    for (int w = 0; w < kPatchWarps; ++w) total += warp_sums[w][t];
    partial[(static_cast<long>(n) * K + k) * kSums + t] = total;
  }
}

// Grid: K; block: kWeightThreads (>= kPatch).
constexpr int kWeightThreads = 128;
__global__ void weight_gradient_kernel(float* __restrict__ dw, float* __restrict__ db,
                                       float* __restrict__ dgamma, float* __restrict__ dbeta,
                                       const double* __restrict__ partial,
                                       const float* __restrict__ w,
                                       const float* __restrict__ gamma,
                                       const double* __restrict__ var,
                                       const double* __restrict__ patch_mean,
                                       const double* __restrict__ patch_cov, int N, int K,
                                       double eps) {
  const int k = blockIdx.x, t = threadIdx.x;
  double d_beta = 0.0, d_gamma = 0.0, sparse = 0.0;
  for (int n = 0; n < N; ++n) {
    const double* sums = partial + (static_cast<long>(n) * K + k) * kSums;
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
  Scratch<double> partial(static_cast<std::size_t>(N) * K * kSums, stream);
  launch(winner_patch_sums_kernel, dim3(K, N), kPatchThreads, 0, stream, partial.data(),
         dF, F, winner, h_winner, x, mean, var, H, W, K, eps);
  launch(weight_gradient_kernel, K, kWeightThreads, 0, stream, dw, db, dgamma, dbeta,
         partial.data(), w, gamma, var, patch_mean, patch_cov, N, K, eps);
}

}  // namespace braincam::cuda
