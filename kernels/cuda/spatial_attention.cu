// Spatial attention: S = [channel mean; channel max], gate = sigmoid(conv7x7(S)), y = x * gate.
// The 7x7 convolutions work on 16 x 16 tiles of the image, staged in shared memory with a
// 3-pixel halo (zeros outside the image, which is the convolution's zero padding) together with
// the 98 weights. Forward, two kernels:
//
// spatial_pool_kernel: one thread per pixel scans the C channels in order: the mean and the first
//   maximum channel (coalesced: neighbouring threads read neighbouring pixels of a channel).
// spatial_gate_kernel: one thread per pixel of a tile: the 98-tap convolution of the staged S
//   tile, the sigmoid, and (fused) y = x * gate for every channel of the pixel.
//
// Backward, four kernels:
//
// spatial_gate_gradient_kernel: one thread per pixel, d(pre) = (sum_c dy * x) * gate * (1 - gate).
// spatial_input_gradient_kernel: per tile, the gradient of S by gathering the staged d(pre) tile
//   through the flipped taps, then dx for every channel of the pixel.
// spatial_weight_partials_kernel: per (tile, image) one thread per tap sums d(pre) * S over the
//   tile's pixels from shared memory into a partial sum.
// spatial_weight_sum_kernel: one block per tap adds the partials of every tile and image by a
//   block sum in a fixed order.
// No atomics anywhere: the results are bitwise reproducible.
#include "kernels/cuda/spatial_attention.h"

#include "kernels/cuda/block_reduce.h"
#include "kernels/cuda/positive_sizes.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kSize = 7, kPad = 3, kTaps = 2 * kSize * kSize;
constexpr int kTile = 16, kHalo = kTile + 2 * kPad, kTileThreads = kTile * kTile;
constexpr int kThreads = 256;
constexpr int kTapThreads = 128;  // the 98 taps, rounded up to whole warps

// tile[r][q] = plane[h0 - kPad + r][w0 - kPad + q], zero outside the plane; the block's
// `threads` threads (numbered tid) share the loads.
__device__ __forceinline__ void stage_halo_tile(float* tile, const float* plane, int H, int W,
                                                int h0, int w0, int tid, int threads) {
  for (int e = tid; e < kHalo * kHalo; e += threads) {
    const int h = h0 - kPad + e / kHalo, v = w0 - kPad + e % kHalo;
    tile[e] = h >= 0 && h < H && v >= 0 && v < W ? plane[h * W + v] : 0.0f;
  }
}

// The tile of block x of a grid over 16 x 16 tiles: its first row and column.
__device__ __forceinline__ int tile_row(int W) {
  return blockIdx.x / ((W + kTile - 1) / kTile) * kTile;
}
__device__ __forceinline__ int tile_col(int W) {
  return blockIdx.x % ((W + kTile - 1) / kTile) * kTile;
}

__global__ void spatial_pool_kernel(float* __restrict__ pooled,
                                    std::int32_t* __restrict__ max_channel,
                                    const float* __restrict__ x, int N, int C, int HW) {
  const long pixels = static_cast<long>(N) * HW;
  for (long o = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; o < pixels;
       o += static_cast<long>(gridDim.x) * blockDim.x) {
    const long n = o / HW, p = o % HW;
    const float* xp = x + n * C * HW + p;
    float sum = 0.0f;
    int best = 0;
    for (int c = 0; c < C; ++c) {
      sum += xp[c * HW];
      if (xp[c * HW] > xp[best * HW]) best = c;
    }
    pooled[2 * n * HW + p] = sum / C;
    pooled[(2 * n + 1) * HW + p] = xp[best * HW];
    max_channel[o] = best;
  }
}

// Grid: (tiles, N); block: 16 x 16.
__global__ void spatial_gate_kernel(float* __restrict__ y, float* __restrict__ gate,
                                    const float* __restrict__ pooled, const float* __restrict__ x,
                                    const float* __restrict__ w, int C, int H, int W) {
  BRAINCAM_SHARED(float, S, 2 * kHalo * kHalo);  // [channel][row][column]
  BRAINCAM_SHARED(float, taps, kTaps);
  const int n = blockIdx.y, h0 = tile_row(W), w0 = tile_col(W);
  const int tid = threadIdx.y * kTile + threadIdx.x;
  const long HW = static_cast<long>(H) * W;
  for (int ch = 0; ch < 2; ++ch)
    stage_halo_tile(S + ch * kHalo * kHalo, pooled + (2 * n + ch) * HW, H, W, h0, w0, tid,
                    kTileThreads);
  for (int t = tid; t < kTaps; t += kTileThreads) taps[t] = w[t];
  __syncthreads();
  const int h = h0 + threadIdx.y, v = w0 + threadIdx.x;
  if (h >= H || v >= W) return;
  float acc = 0.0f;
  for (int ch = 0; ch < 2; ++ch)
    for (int kh = 0; kh < kSize; ++kh)
      for (int kw = 0; kw < kSize; ++kw)
        acc += taps[(ch * kSize + kh) * kSize + kw] *
               S[(ch * kHalo + threadIdx.y + kh) * kHalo + threadIdx.x + kw];
  const float g = 1.0f / (1.0f + expf(-acc));
  const long p = static_cast<long>(h) * W + v;
  gate[n * HW + p] = g;
  for (int c = 0; c < C; ++c) {
    const long i = (static_cast<long>(n) * C + c) * HW + p;
    y[i] = x[i] * g;
  }
}

__global__ void spatial_gate_gradient_kernel(float* __restrict__ dpre, const float* __restrict__ dy,
                                             const float* __restrict__ x,
                                             const float* __restrict__ gate, int N, int C, int HW) {
  const long pixels = static_cast<long>(N) * HW;
  for (long o = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; o < pixels;
       o += static_cast<long>(gridDim.x) * blockDim.x) {
    const long base = o / HW * C * HW + o % HW;
    float dgate = 0.0f;
    for (int c = 0; c < C; ++c) dgate += dy[base + c * HW] * x[base + c * HW];
    dpre[o] = dgate * gate[o] * (1.0f - gate[o]);
  }
}

// Grid: (tiles, N); block: 16 x 16. dS[ch][h][v] = sum over taps of
// dpre[h - kh + 3][v - kw + 3] * w[ch][kh][kw]; then dx = dy * gate + dS_mean / C, plus dS_max
// at the first maximum channel.
__global__ void spatial_input_gradient_kernel(float* __restrict__ dx, const float* __restrict__ dy,
                                              const float* __restrict__ dpre,
                                              const float* __restrict__ gate,
                                              const std::int32_t* __restrict__ max_channel,
                                              const float* __restrict__ w, int C, int H, int W) {
  BRAINCAM_SHARED(float, grad, kHalo* kHalo);
  BRAINCAM_SHARED(float, taps, kTaps);
  const int n = blockIdx.y, h0 = tile_row(W), w0 = tile_col(W);
  const int tid = threadIdx.y * kTile + threadIdx.x;
  const long HW = static_cast<long>(H) * W;
  stage_halo_tile(grad, dpre + n * HW, H, W, h0, w0, tid, kTileThreads);
  for (int t = tid; t < kTaps; t += kTileThreads) taps[t] = w[t];
  __syncthreads();
  const int h = h0 + threadIdx.y, v = w0 + threadIdx.x;
  if (h >= H || v >= W) return;
  float dS[2] = {0.0f, 0.0f};
  for (int ch = 0; ch < 2; ++ch)
    for (int kh = 0; kh < kSize; ++kh)
      for (int kw = 0; kw < kSize; ++kw)
        dS[ch] += grad[(threadIdx.y + 2 * kPad - kh) * kHalo + threadIdx.x + 2 * kPad - kw] *
                  taps[(ch * kSize + kh) * kSize + kw];
  const long p = static_cast<long>(h) * W + v;
  const float g = gate[n * HW + p], dmean = dS[0] / C;
  const int best = max_channel[n * HW + p];
  for (int c = 0; c < C; ++c) {
    const long i = (static_cast<long>(n) * C + c) * HW + p;
    float d = dy[i] * g + dmean;
    if (c == best) d += dS[1];
    dx[i] = d;
  }
}

// Grid: (tiles, N); block: kTapThreads. partial[n][tile][t] = sum over the tile's pixels of
// dpre * S shifted by tap t.
__global__ void spatial_weight_partials_kernel(float* __restrict__ partial,
                                               const float* __restrict__ dpre,
                                               const float* __restrict__ pooled, int H, int W) {
  BRAINCAM_SHARED(float, S, 2 * kHalo * kHalo);
  BRAINCAM_SHARED(float, grad, kTile* kTile);
  const int n = blockIdx.y, h0 = tile_row(W), w0 = tile_col(W), tid = threadIdx.x;
  const long HW = static_cast<long>(H) * W;
  for (int ch = 0; ch < 2; ++ch)
    stage_halo_tile(S + ch * kHalo * kHalo, pooled + (2 * n + ch) * HW, H, W, h0, w0, tid,
                    kTapThreads);
  for (int e = tid; e < kTile * kTile; e += kTapThreads) {
    const int h = h0 + e / kTile, v = w0 + e % kTile;
    grad[e] = h < H && v < W ? dpre[n * HW + h * W + v] : 0.0f;
  }
  __syncthreads();
  if (tid >= kTaps) return;
  const int ch = tid / (kSize * kSize), kh = tid / kSize % kSize, kw = tid % kSize;
  float acc = 0.0f;
  for (int r = 0; r < kTile; ++r)
    for (int q = 0; q < kTile; ++q)
      acc += grad[r * kTile + q] * S[(ch * kHalo + r + kh) * kHalo + q + kw];
  partial[(static_cast<long>(n) * gridDim.x + blockIdx.x) * kTaps + tid] = acc;
}

// One block per tap: the blocks' partial sums, added by block_sum.
__global__ void spatial_weight_sum_kernel(float* __restrict__ dw, const float* __restrict__ partial,
                                          long blocks) {
  const int t = blockIdx.x;
  float acc = 0.0f;
  for (long b = threadIdx.x; b < blocks; b += kTapThreads) acc += partial[b * kTaps + t];
  acc = block_sum<kTapThreads>(acc);
  if (threadIdx.x == 0) dw[t] = acc;
}

dim3 tile_grid(int N, int H, int W) {
  return dim3(static_cast<unsigned>(((H + kTile - 1) / kTile) * ((W + kTile - 1) / kTile)),
              static_cast<unsigned>(N));
}

}  // namespace

template <>
void spatial_attention_forward<KernelSet>(float* y, float* gate, float* pooled,
                                          std::int32_t* max_channel, const float* x, const float* w,
                                          int N, int C, int H, int W, Stream stream) {
  require_positive_sizes("spatial_attention_forward", {{"N", N}, {"C", C}, {"H", H}, {"W", W}});
  const long pixels = static_cast<long>(N) * H * W;
  launch(spatial_pool_kernel, elementwise_grid(pixels, kThreads), kThreads, 0, stream, pooled,
         max_channel, x, N, C, H * W);
  launch(spatial_gate_kernel, tile_grid(N, H, W), dim3(kTile, kTile), 0, stream, y, gate, pooled, x,
         w, C, H, W);
}

template <>
void spatial_attention_backward<KernelSet>(float* dx, float* dw, const float* dy, const float* x,
                                           const float* gate, const float* pooled,
                                           const std::int32_t* max_channel, const float* w, int N,
                                           int C, int H, int W, Stream stream) {
  require_positive_sizes("spatial_attention_backward", {{"N", N}, {"C", C}, {"H", H}, {"W", W}});
  const long pixels = static_cast<long>(N) * H * W;
  const dim3 tiles = tile_grid(N, H, W);
  const long blocks = static_cast<long>(tiles.x) * tiles.y;
  Scratch<float> dpre(pixels, stream), partial(blocks * kTaps, stream);
  launch(spatial_gate_gradient_kernel, elementwise_grid(pixels, kThreads), kThreads, 0, stream,
         dpre.data(), dy, x, gate, N, C, H * W);
  launch(spatial_input_gradient_kernel, tiles, dim3(kTile, kTile), 0, stream, dx, dy, dpre.data(),
         gate, max_channel, w, C, H, W);
  launch(spatial_weight_partials_kernel, tiles, kTapThreads, 0, stream, partial.data(), dpre.data(),
         pooled, H, W);
  launch(spatial_weight_sum_kernel, kTaps, kTapThreads, 0, stream, dw, partial.data(), blocks);
}

}  // namespace braincam::cuda
