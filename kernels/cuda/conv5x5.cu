// 5x5 convolution (stride 1, zero padding 2) and its gradients. Three kernels:
//
// conv5x5_tiled_kernel: the forward pass, and the input gradient, which is the same convolution
//   of dy with the weights transposed and flipped; the loop is conv5x5_tile.h's.
// conv5x5_weight_partials_kernel: one block per (input channel, output channel, image, band of
//   rows) sums dy * x over the band for the 25 taps, and dy alone for the bias. An image is one
//   band unless the batch is too small to keep the GPU busy (conv5x5_weight_bands).
// conv5x5_weight_sum_kernel: adds those partial sums in (image, band) order.
// No atomics: every sum has a fixed order, so results are bitwise reproducible.
#include "kernels/cuda/conv5x5.h"
#include "kernels/cuda/conv5x5_tile.h"
#include "kernels/cuda/positive_sizes.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

// y[n][o] = bias[o] + sum over i of x[n][i] convolved with the weights of (o, i); bias may be
// null. Grid and block: conv5x5_tile_grid, conv5x5_tile_block.
template <bool kInputGradient>
__global__ void __launch_bounds__(kTileThreads, kTileBlocksPerSM)
    conv5x5_tiled_kernel(float* __restrict__ y, const float* __restrict__ x,
                         const float* __restrict__ w, const float* __restrict__ bias, int Cin,
                         int H, int W, int Cout) {
  const int tiles_x = (W + kTile - 1) / kTile;
  const int w0 = blockIdx.x % tiles_x * kTile, h0 = blockIdx.x / tiles_x * kTile;
  const int o0 = blockIdx.y * kOutPerBlock, n = blockIdx.z;
  float acc[kRowsPerThread][kOutPerBlock] = {};
  conv5x5_tile_accumulate<kInputGradient>(acc, x + static_cast<long>(n) * Cin * H * W, w, Cin, H, W,
                                          Cout, h0, w0, o0);

  const int col = w0 + threadIdx.x;
  if (col >= W) return;
  BRAINCAM_UNROLL
  for (int o = 0; o < kOutPerBlock; ++o) {
    if (o0 + o >= Cout) break;
    const float b = bias ? bias[o0 + o] : 0.0f;
    BRAINCAM_UNROLL
    for (int r = 0; r < kRowsPerThread; ++r) {
      const int h = h0 + kRowsPerThread * threadIdx.y + r;
      if (h < H) y[((static_cast<long>(n) * Cout + o0 + o) * H + h) * W + col] = acc[r][o] + b;
    }
  }
}

constexpr int kReduceThreads = 256;
constexpr int kWarps = kReduceThreads / 32;
constexpr int kSums = kTaps + 1;  // the 25 taps and the bias

// partial[b][k][c][t] = sum over the pixels (h, w) of band b (image b / bands) of
// dy[n][k][h][w] * x[n][c][h + kh - 2][w + kw - 2], and in the c = 0 blocks
// bias_partial[b][k] = sum over them of dy[n][k][h][w].
// Grid: (C, K, N * bands); block: kReduceThreads. Each thread sums a strided share of the pixels;
// the block then adds the threads' sums in a fixed order through shared memory: one thread per
// (sum, warp) adds its warp's 32 values, one thread per sum adds the warp totals. Rows of
// kSums + 1 (odd) floats keep both passes free of shared-memory bank conflicts.
__global__ void conv5x5_weight_partials_kernel(float* __restrict__ partial,
                                               float* __restrict__ bias_partial,
                                               const float* __restrict__ dy,
                                               const float* __restrict__ x, int C, int H, int W,
                                               int K, int bands) {
  const int c = blockIdx.x, k = blockIdx.y, band = blockIdx.z, n = band / bands;
  const int rows = (H + bands - 1) / bands, first_row = band % bands * rows;
  const int last_row = first_row + rows < H ? first_row + rows : H;
  const float* g = dy + (static_cast<long>(n) * K + k) * H * W;
  const float* in = x + (static_cast<long>(n) * C + c) * H * W;
  float acc[kSums] = {};
  for (int p = first_row * W + threadIdx.x; p < last_row * W; p += kReduceThreads) {
    const int h = p / W, col = p % W;
    const float gv = g[p];
    for (int kh = 0; kh < 5; ++kh) {
      const int ih = h + kh - 2;
      if (ih < 0 || ih >= H) continue;
      for (int kw = 0; kw < 5; ++kw) {
        const int iw = col + kw - 2;
        if (iw >= 0 && iw < W) acc[kh * 5 + kw] += gv * in[ih * W + iw];
      }
    }
    acc[kTaps] += gv;
  }

  BRAINCAM_SHARED(float, sums, kReduceThreads*(kSums + 1));  // [thread][sum]
  BRAINCAM_SHARED(float, warp_totals, kSums* kWarps);        // [sum][warp]
  for (int s = 0; s < kSums; ++s) sums[threadIdx.x * (kSums + 1) + s] = acc[s];
  __syncthreads();
  for (int e = threadIdx.x; e < kSums * kWarps; e += kReduceThreads) {
    const int warp = e / kSums, s = e % kSums;
    float total = 0.0f;
    for (int lane = 0; lane < 32; ++lane) total += sums[(warp * 32 + lane) * (kSums + 1) + s];
    warp_totals[s * kWarps + warp] = total;
  }
  __syncthreads();
  const int s = threadIdx.x;
  if (s >= kSums || (s == kTaps && c != 0)) return;
  float total = 0.0f;
  for (int warp = 0; warp < kWarps; ++warp) total += warp_totals[s * kWarps + warp];
  if (s < kTaps)
    partial[((static_cast<long>(band) * K + k) * C + c) * kTaps + s] = total;
  else
    bias_partial[static_cast<long>(band) * K + k] = total;
}

// dw[k][c][t] and db[k]: the partial sums of all images' bands (`partials` of them) added in
// order.
__global__ void conv5x5_weight_sum_kernel(float* __restrict__ dw, float* __restrict__ db,
                                          const float* __restrict__ partial,
                                          const float* __restrict__ bias_partial, int partials,
                                          int C, int K) {
  const long weights = static_cast<long>(K) * C * kTaps;
  for (long o = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; o < weights + K;
       o += static_cast<long>(gridDim.x) * blockDim.x) {
    float total = 0.0f;
    if (o < weights) {
      for (int i = 0; i < partials; ++i) total += partial[i * weights + o];
      dw[o] = total;
    } else {
      for (int i = 0; i < partials; ++i)
        total += bias_partial[static_cast<long>(i) * K + (o - weights)];
      db[o - weights] = total;
    }
  }
}

}  // namespace

template <>
void conv5x5_forward<KernelSet>(float* y, const float* x, const float* w, const float* b, int N,
                                int C, int H, int W, int K, Stream stream) {
  require_positive_sizes("conv5x5_forward", {{"N", N}, {"C", C}, {"H", H}, {"W", W}, {"K", K}});
  launch(conv5x5_tiled_kernel<false>, conv5x5_tile_grid(H, W, K, N), conv5x5_tile_block(), 0,
         stream, y, x, w, b, C, H, W, K);
}

template <>
void conv5x5_backward<KernelSet>(float* dx, float* dw, float* db, const float* dy, const float* x,
                                 const float* w, int N, int C, int H, int W, int K, Stream stream) {
  require_positive_sizes("conv5x5_backward", {{"N", N}, {"C", C}, {"H", H}, {"W", W}, {"K", K}});
  const int bands = conv5x5_weight_bands(N, C, K, H), all_bands = N * bands;
  Scratch<float> partial(static_cast<std::size_t>(all_bands) * K * C * kTaps, stream);
  Scratch<float> bias_partial(static_cast<std::size_t>(all_bands) * K, stream);
  launch(conv5x5_weight_partials_kernel, dim3(C, K, all_bands), kReduceThreads, 0, stream,
         partial.data(), bias_partial.data(), dy, x, C, H, W, K, bands);
  const long sums = static_cast<long>(K) * C * kTaps + K;
  launch(conv5x5_weight_sum_kernel, elementwise_grid(sums, 256), 256, 0, stream, dw, db,
         partial.data(), bias_partial.data(), all_bands, C, K);
  if (dx)
    launch(conv5x5_tiled_kernel<true>, conv5x5_tile_grid(H, W, C, N), conv5x5_tile_block(), 0,
           stream, dx, dy, w, nullptr, K, H, W, C);
}

}  // namespace braincam::cuda
