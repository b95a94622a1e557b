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
//
// The fused attention + pooling (attention_pool.cu) runs the same kernels on inputs it never
// writes: the kernels read x and dy through a reader (Dense, ChannelGated, PoolWinnerGradient),
// and spatial_gate_pool_kernel replaces spatial_gate_kernel, pooling y 4x4 instead of writing it.
// Each reader gives the bits the plain kernels would read from memory, so for finite values both
// paths give the same results (NaN and infinities aside: the shuffle pooling and the skipped zero
// products treat them otherwise).
// No atomics anywhere: the results are bitwise reproducible.
#include <climits>
#include <stdexcept>
#include <string>

#include "kernels/cuda/block_reduce.h"
#include "kernels/cuda/positive_sizes.h"
#include "kernels/cuda/simt.h"
#include "kernels/cuda/spatial_attention.h"

namespace braincam::cuda {

namespace {

constexpr int kSize = 7, kPad = 3, kTaps = 2 * kSize * kSize;
constexpr int kTile = 16, kHalo = kTile + 2 * kPad, kTileThreads = kTile * kTile;
constexpr int kThreads = 256;
constexpr int kTapThreads = 128;  // the 98 taps, rounded up to whole warps

// Readers: the value of x or dy at pixel p of plane n * C + c. A reader of dy says whether it is
// mostly zeros (kSparse).

// A tensor in memory.
struct Dense {
  static constexpr bool kSparse = false;
  const float* data;
  long HW;
  __device__ float operator()(long plane, long p) const { return data[plane * HW + p]; }
};

// x = F * channel_gate, the input of the spatial attention that channel attention's y would hold
// (rounded once, as y is: never contracted into a following addition).
struct ChannelGated {
  const float* F;
  const float* gate;  // N x C
  long HW;
  __device__ float operator()(long plane, long p) const {
    return __fmul_rn(F[plane * HW + p], gate[plane]);
  }
};

// The gradient that the 4x4 max pooling sends back to its input: dP at each window's winner,
// zero elsewhere (one pixel in 16). Kernels skip its zeros where they would add zero products.
struct PoolWinnerGradient {
  static constexpr bool kSparse = true;
  const float* dP;              // N x C x H/4 x W/4
  const std::int32_t* winners;  // the same: the winner's index in its plane
  int W;
  long cells;  // (H / 4) * (W / 4)
  __device__ float operator()(long plane, long p) const {
    const long cell = plane * cells + p / W / 4 * (W / 4) + p % W / 4;
    return winners[cell] == p ? dP[cell] : 0.0f;
  }
};

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

// Stages image n's S tile with its halo (S: 2 * kHalo * kHalo) and the taps, for the gates.
__device__ __forceinline__ void stage_gate_inputs(float* S, float* taps,
                                                  const float* __restrict__ pooled,
                                                  const float* __restrict__ w, int n, int H, int W,
                                                  int tid) {
  const long HW = static_cast<long>(H) * W;
  for (int ch = 0; ch < 2; ++ch)
    stage_halo_tile(S + ch * kHalo * kHalo, pooled + (2 * n + ch) * HW, H, W, tile_row(W),
                    tile_col(W), tid, kTileThreads);
  for (int t = tid; t < kTaps; t += kTileThreads) taps[t] = w[t];
}

// The gate of the tile's pixel (r, q): the 98 taps in (ch, kh, kw) order, then the sigmoid.
__device__ __forceinline__ float gate_at(const float* S, const float* taps, int r, int q) {
  float acc = 0.0f;
  for (int ch = 0; ch < 2; ++ch)
    for (int kh = 0; kh < kSize; ++kh)
      for (int kw = 0; kw < kSize; ++kw)
        acc += taps[(ch * kSize + kh) * kSize + kw] * S[(ch * kHalo + r + kh) * kHalo + q + kw];
  return 1.0f / (1.0f + expf(-acc));
}

template <class X>
__global__ void spatial_pool_kernel(float* __restrict__ pooled,
                                    std::int32_t* __restrict__ max_channel, X x, int N, int C,
                                    int HW) {
  const long pixels = static_cast<long>(N) * HW;
  for (long o = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; o < pixels;
       o += static_cast<long>(gridDim.x) * blockDim.x) {
    const long n = o / HW, p = o % HW;
    float sum = 0.0f, top = 0.0f;
    int best = 0;
    for (int c = 0; c < C; ++c) {
      const float v = x(n * C + c, p);
      sum += v;
      if (c == 0 || v > top) {
        top = v;
        best = c;
      }
    }
    pooled[2 * n * HW + p] = sum / C;
    pooled[(2 * n + 1) * HW + p] = top;
    max_channel[o] = best;
  }
}

// Grid: (tiles, N); block: 16 x 16.
__global__ void spatial_gate_kernel(float* __restrict__ y, float* __restrict__ gate,
                                    const float* __restrict__ pooled, const float* __restrict__ x,
                                    const float* __restrict__ w, int C, int H, int W) {
  BRAINCAM_SHARED(float, S, 2 * kHalo * kHalo);  // [channel][row][column]
  BRAINCAM_SHARED(float, taps, kTaps);
  const int n = blockIdx.y;
  stage_gate_inputs(S, taps, pooled, w, n, H, W, threadIdx.y * kTile + threadIdx.x);
  __syncthreads();
  const int h = tile_row(W) + threadIdx.y, v = tile_col(W) + threadIdx.x;
  if (h >= H || v >= W) return;
  const float g = gate_at(S, taps, threadIdx.y, threadIdx.x);
  const long HW = static_cast<long>(H) * W, p = static_cast<long>(h) * W + v;
  gate[n * HW + p] = g;
  for (int c = 0; c < C; ++c) {
    const long i = (static_cast<long>(n) * C + c) * HW + p;
    y[i] = x[i] * g;
  }
}

// Grid: (tiles, N); block: kTileThreads, thread t on window t / 16 of the tile (4 x 4 windows,
// row-major) and on its pixel t % 16 (row-major): a window's 16 pixels are a half-warp, so each
// channel's pooling is four xor-shuffles. y = x * gate is pooled (first maximum, as maxpool4)
// instead of written; winners may be null. H and W are multiples of 4, so a window is wholly
// inside or outside.
__global__ void spatial_gate_pool_kernel(float* __restrict__ P, std::int32_t* __restrict__ winners,
                                         float* __restrict__ gate, const float* __restrict__ pooled,
                                         ChannelGated x, const float* __restrict__ w, int C, int H,
                                         int W) {
  BRAINCAM_SHARED(float, S, 2 * kHalo * kHalo);
  BRAINCAM_SHARED(float, taps, kTaps);
  const int n = blockIdx.y, t = threadIdx.x;
  stage_gate_inputs(S, taps, pooled, w, n, H, W, t);
  __syncthreads();
  const int window = t / 16, m = t % 16;
  const int r = window / 4 * 4 + m / 4, q = window % 4 * 4 + m % 4;
  const int h = tile_row(W) + r, v = tile_col(W) + q;
  const bool inside = h < H && v < W;
  const float g = gate_at(S, taps, r, q);
  const long HW = static_cast<long>(H) * W, p = static_cast<long>(h) * W + v;
  if (inside) gate[n * HW + p] = g;
  const long cells = static_cast<long>(H / 4) * (W / 4), cell = h / 4 * (W / 4) + v / 4;
  for (int c = 0; c < C; ++c) {  // every lane takes part in the shuffles
    const long plane = static_cast<long>(n) * C + c;
    ValueIndex best{-INFINITY, INT_MAX};
    if (inside) best = {x(plane, p) * g, static_cast<int>(p)};
    for (int lanes = 1; lanes < 16; lanes *= 2) best = FirstMax{}(best, shuffle_xor(best, lanes));
    if (inside && m == 0) {
      P[plane * cells + cell] = best.value;
      if (winners) winners[plane * cells + cell] = best.index;
    }
  }
}

template <class Dy, class X>
__global__ void spatial_gate_gradient_kernel(float* __restrict__ dpre, Dy dy, X x,
                                             const float* __restrict__ gate, int N, int C, int HW) {
  const long pixels = static_cast<long>(N) * HW;
  for (long o = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; o < pixels;
       o += static_cast<long>(gridDim.x) * blockDim.x) {
    const long n = o / HW, p = o % HW;
    float dgate = 0.0f;
    for (int c = 0; c < C; ++c) {
      const float d = dy(n * C + c, p);
      // A zero d adds a zero product: dgate keeps its value (only the sign of a zero sum may
      // differ), and x is not read.
      if (Dy::kSparse && d == 0.0f) continue;
      dgate += d * x(n * C + c, p);
    }
    dpre[o] = dgate * gate[o] * (1.0f - gate[o]);
  }
}

// Grid: (tiles, N); block: 16 x 16. dS[ch][h][v] = sum over taps of
// dpre[h - kh + 3][v - kw + 3] * w[ch][kh][kw]; then dx = dy * gate + dS_mean / C, plus dS_max
// at the first maximum channel.
template <class Dy>
__global__ void spatial_input_gradient_kernel(float* __restrict__ dx, Dy dy,
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
  float dS_mean = 0.0f, dS_max = 0.0f;  // the gradients of S's two planes, each in tap order
  for (int kh = 0; kh < kSize; ++kh)
    for (int kw = 0; kw < kSize; ++kw) {
      const float d = grad[(threadIdx.y + 2 * kPad - kh) * kHalo + threadIdx.x + 2 * kPad - kw];
      dS_mean += d * taps[kh * kSize + kw];
      dS_max += d * taps[(kSize + kh) * kSize + kw];
    }
  const long p = static_cast<long>(h) * W + v;
  const float g = gate[n * HW + p], dmean = dS_mean / C;
  const int best = max_channel[n * HW + p];
  for (int c = 0; c < C; ++c) {
    const long plane = static_cast<long>(n) * C + c;
    float d = dy(plane, p) * g + dmean;
    if (c == best) d += dS_max;
    dx[plane * HW + p] = d;
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

// The backward's four kernels, reading dy and x through their readers.
template <class Dy, class X>
void spatial_backward(float* dx, float* dw, Dy dy, X x, const float* gate, const float* pooled,
                      const std::int32_t* max_channel, const float* w, int N, int C, int H, int W,
                      Stream stream) {
  const long pixels = static_cast<long>(N) * H * W;
  const dim3 tiles = tile_grid(N, H, W);
  const long blocks = static_cast<long>(tiles.x) * tiles.y;
  Scratch<float> dpre(pixels, stream), partial(blocks * kTaps, stream);
  launch(spatial_gate_gradient_kernel<Dy, X>, elementwise_grid(pixels, kThreads), kThreads, 0,
         stream, dpre.data(), dy, x, gate, N, C, H * W);
  launch(spatial_input_gradient_kernel<Dy>, tiles, dim3(kTile, kTile), 0, stream, dx, dy,
         dpre.data(), gate, max_channel, w, C, H, W);
  launch(spatial_weight_partials_kernel, tiles, kTapThreads, 0, stream, partial.data(), dpre.data(),
         pooled, H, W);
  launch(spatial_weight_sum_kernel, kTaps, kTapThreads, 0, stream, dw, partial.data(), blocks);
}

void check_pooled_sizes(const char* op, int N, int C, int H, int W) {
  require_positive_sizes(op, {{"N", N}, {"C", C}, {"H / 4", H / 4}, {"W / 4", W / 4}});
  if (H % 4 || W % 4)
    throw std::invalid_argument(std::string(op) + ": H and W must be multiples of 4");
}

}  // namespace

template <>
void spatial_attention_forward<KernelSet>(float* y, float* gate, float* pooled,
                                          std::int32_t* max_channel, const float* x, const float* w,
                                          int N, int C, int H, int W, Stream stream) {
  require_positive_sizes("spatial_attention_forward", {{"N", N}, {"C", C}, {"H", H}, {"W", W}});
  const long HW = static_cast<long>(H) * W, pixels = N * HW;
  launch(spatial_pool_kernel<Dense>, elementwise_grid(pixels, kThreads), kThreads, 0, stream,
         pooled, max_channel, Dense{x, HW}, N, C, H * W);
  launch(spatial_gate_kernel, tile_grid(N, H, W), dim3(kTile, kTile), 0, stream, y, gate, pooled, x,
         w, C, H, W);
}

template <>
void spatial_attention_backward<KernelSet>(float* dx, float* dw, const float* dy, const float* x,
                                           const float* gate, const float* pooled,
                                           const std::int32_t* max_channel, const float* w, int N,
                                           int C, int H, int W, Stream stream) {
  require_positive_sizes("spatial_attention_backward", {{"N", N}, {"C", C}, {"H", H}, {"W", W}});
  const long HW = static_cast<long>(H) * W;
  spatial_backward(dx, dw, Dense{dy, HW}, Dense{x, HW}, gate, pooled, max_channel, w, N, C, H, W,
                   stream);
}

template <>
void spatial_attention_pool_forward<KernelSet>(float* P, std::int32_t* winners, float* gate,
                                               float* pooled, std::int32_t* max_channel,
                                               const float* F, const float* channel_gate,
                                               const float* w, int N, int C, int H, int W,
                                               Stream stream) {
  check_pooled_sizes("spatial_attention_pool_forward", N, C, H, W);
  const long HW = static_cast<long>(H) * W, pixels = N * HW;
  const ChannelGated x{F, channel_gate, HW};
  launch(spatial_pool_kernel<ChannelGated>, elementwise_grid(pixels, kThreads), kThreads, 0, stream,
         pooled, max_channel, x, N, C, H * W);
  launch(spatial_gate_pool_kernel, tile_grid(N, H, W), kTileThreads, 0, stream, P, winners, gate,
         pooled, x, w, C, H, W);
}

template <>
void spatial_attention_pool_backward<KernelSet>(float* dx, float* dw, const float* dP,
                                                const std::int32_t* winners, const float* F,
                                                const float* channel_gate, const float* gate,
                                                const float* pooled,
                                                const std::int32_t* max_channel, const float* w,
                                                int N, int C, int H, int W, Stream stream) {
  check_pooled_sizes("spatial_attention_pool_backward", N, C, H, W);
  const long HW = static_cast<long>(H) * W, cells = static_cast<long>(H / 4) * (W / 4);
  spatial_backward(dx, dw, PoolWinnerGradient{dP, winners, W, cells},
                   ChannelGated{F, channel_gate, HW}, gate, pooled, max_channel, w, N, C, H, W,
                   stream);
}

}  // namespace braincam::cuda
