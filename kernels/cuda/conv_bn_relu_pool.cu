// The fused first layer: convolution + batchnorm (given statistics) + ReLU + 4x4 max pooling,
// and its sparse backward (the derivation is in kernels/cpu_fast/conv_bn_relu_pool_backward.cpp).
//
// conv_bn_relu_pool_forward_kernel: the convolution of a 16 x 16 tile for 16 channels on TF32
//   tensor cores, each float split into two TF32 halves so that the sums stay close to float
//   accuracy (3xTF32); each warp's M tiles are its pooling windows, so the pooling settles in
//   registers and shuffles. It applies the affine map and writes F = relu(max), the winner and
//   h there. Only the pooled outputs reach global memory.
// winner_patch_sums_kernel: one block per (8 channels, share of an image's tiles of 2 x 16
//   windows); it stages each tile's image region in shared memory, and a warp per channel walks
//   the tile's windows where g = dF (F > 0) is nonzero, each lane summing its taps of g times
//   the winner's patch (in float over 4 windows, then in double), and g and g * xhat of its own
//   window.
// weight_gradient_kernel: one block per channel adds the images' shares in order and applies
//   the closed form dw = k (sparse - dbeta mu - dgamma invstd Sigma w), k = gamma invstd.
#include <algorithm>
#include <cmath>

#include "kernels/cuda/async_copy.h"
#include "kernels/cuda/block_reduce.h"
#include "kernels/cuda/conv_bn_relu_pool.h"
#include "kernels/cuda/positive_sizes.h"
#include "kernels/cuda/simt.h"
#include "kernels/cuda/tensor_core.h"

namespace braincam::cuda {

namespace {

constexpr int kPool = 4;

__global__ void batchnorm_affine_from_batch_kernel(
    float* __restrict__ scale, float* __restrict__ shift, float* __restrict__ batch_mean,
    float* __restrict__ batch_var, const double* __restrict__ mean, const double* __restrict__ var,
    const float* __restrict__ gamma, const float* __restrict__ beta, int K, double eps) {
  for (int k = blockIdx.x * blockDim.x + threadIdx.x; k < K; k += gridDim.x * blockDim.x) {
    const double s = gamma[k] / sqrt(var[k] + eps);
    scale[k] = static_cast<float>(s);
    shift[k] = static_cast<float>(beta[k] - mean[k] * s);
    batch_mean[k] = static_cast<float>(mean[k]);
    batch_var[k] = static_cast<float>(var[k]);
  }
}

__global__ void batchnorm_affine_from_running_kernel(
    float* __restrict__ scale, float* __restrict__ shift, const float* __restrict__ running_mean,
    const float* __restrict__ running_var, const float* __restrict__ gamma,
    const float* __restrict__ beta, int K, float eps) {
  for (int k = blockIdx.x * blockDim.x + threadIdx.x; k < K; k += gridDim.x * blockDim.x) {
    scale[k] = gamma[k] / sqrtf(running_var[k] + eps);
    shift[k] = beta[k] - running_mean[k] * scale[k];
  }
}

constexpr int kTaps = 25;
constexpr int kChannels = 3;  // the model's input channels
constexpr int kPatch = kChannels * kTaps;

// The forward's geometry. A block of kForwardWarps warps takes a kForwardTile x kForwardTile tile
// of pixels and kForwardOut output channels. The convolution there is a product (pixels x 75)
// times (75 x channels), the 75 products of a patch and a channel's weights padded with zero
// weights to kKSteps steps of 8: warp r takes the tile's r-th row of 4 x 4 pooling windows, each
// window one 16-row M tile (row m: the window's pixel m in row-major order), against
// kForwardOut / 8 N tiles of 8 channels. With more than kChannels input channels the block takes
// them kChannels at a time.
constexpr int kForwardTile = 16;
constexpr int kForwardHalo = kForwardTile + 4;
constexpr int kForwardOut = 16;
constexpr int kNTiles = kForwardOut / 8;
constexpr int kWindowsPerWarp = kForwardTile / kPool;
constexpr int kForwardWarps = kForwardTile / kPool;  // one warp per row of windows
constexpr int kForwardThreads = 32 * kForwardWarps;
constexpr int kKSteps = (kPatch + 7) / 8;
static_assert(kWindowsPerWarp <= 8, "lanes g < kWindowsPerWarp write the windows");

// Grid: (tiles of the image, groups of kForwardOut channels, N); block: kForwardThreads.
//
// Each lane of a warp ends with the sums of pixels g and g + 8 (g = lane / 4) of its 4 windows
// for channels 2t and 2t + 1 (t = lane % 4) of each N tile: it applies the affine map and keeps
// the first maximum of its two pixels, and the 8 lanes of the same t settle each window's in
// three rounds of shuffles. Lane g < 4 then writes window g's pooled output: one store of the
// warp covers 4 consecutive windows of 4 channels.
__global__ void __launch_bounds__(kForwardThreads)
    conv_bn_relu_pool_forward_kernel(float* __restrict__ F, std::uint8_t* __restrict__ winner,
                                     float* __restrict__ h_winner, const float* __restrict__ x,
                                     const float* __restrict__ w, const float* __restrict__ b,
                                     const float* __restrict__ scale,
                                     const float* __restrict__ shift, int C, int H, int W, int K) {
  // The input tile, [c][row][column], each value already split into its TF32 halves: a value
  // feeds about 17 of the warps' operands, and splitting each operand as it was loaded cost about
  // 10 instructions, most of the inner loop's (318 us per batch of 32 on the H200, seventh run).
  BRAINCAM_SHARED(std::uint32_t, tile_big, kChannels * kForwardHalo * kForwardHalo);
  BRAINCAM_SHARED(std::uint32_t, tile_small, kChannels * kForwardHalo * kForwardHalo);
  // Per (k step, N tile, lane): the lane's b[0], b[1] as big, then as small TF32 halves.
  BRAINCAM_SHARED(uint4, weights, kKSteps * kNTiles * 32);
  // Per product: the offset in the tile of its input value from the output pixel's (0 for the
  // padding, whose weights are zero).
  BRAINCAM_SHARED(int, product_offset, kKSteps * 8);
  const int tiles_x = (W + kForwardTile - 1) / kForwardTile;
  const int w0 = blockIdx.x % tiles_x * kForwardTile, h0 = blockIdx.x / tiles_x * kForwardTile;
  const int o0 = blockIdx.y * kForwardOut, n = blockIdx.z;
  const int tid = threadIdx.x, warp = tid / 32, lane = tid % 32, g = lane / 4, t = lane % 4;
  const float* image = x + static_cast<long>(n) * C * H * W;

  for (int product = tid; product < kKSteps * 8; product += kForwardThreads) {
    const int c = product / kTaps, tap = product % kTaps;
    product_offset[product] =
        product < kPatch ? (c * kForwardHalo + tap / 5) * kForwardHalo + tap % 5 : 0;
  }
  // Window 0's pixel g in the tile (rows 0 and 1; pixel g + 8 is two rows below).
  const int pixel = (kPool * warp + g / kPool) * kForwardHalo + g % kPool;
  float acc[kWindowsPerWarp][kNTiles][4] = {};
  for (int c0 = 0; c0 < C; c0 += kChannels) {
    for (int e = tid; e < kChannels * kForwardHalo * kForwardHalo; e += kForwardThreads) {
      const int c = c0 + e / (kForwardHalo * kForwardHalo),
                ih = h0 + e / kForwardHalo % kForwardHalo - 2, iw = w0 + e % kForwardHalo - 2;
      const bool inside = c < C && ih >= 0 && ih < H && iw >= 0 && iw < W;
      const Tf32Split half =
          tf32_split(inside ? image[(static_cast<long>(c) * H + ih) * W + iw] : 0.0f);
      tile_big[e] = half.big;
      tile_small[e] = half.small;
    }
    for (int e = tid; e < kKSteps * kNTiles * 32; e += kForwardThreads) {
      const int step = e / (kNTiles * 32), o = o0 + 8 * (e / 32 % kNTiles) + e % 32 / 4;
      Tf32Split half[2];
      BRAINCAM_UNROLL
      for (int i = 0; i < 2; ++i) {
        const int product = 8 * step + 4 * i + e % 4, c = c0 + product / kTaps;
        half[i] = tf32_split(product < kPatch && c < C && o < K
                                 ? w[(static_cast<long>(o) * C + c) * kTaps + product % kTaps]
                                 : 0.0f);
      }
      weights[e] = uint4{half[0].big, half[1].big, half[0].small, half[1].small};
    }
    __syncthreads();
    BRAINCAM_UNROLL
    for (int step = 0; step < kKSteps; ++step) {
      const int offset_lo = product_offset[8 * step + t],
                offset_hi = product_offset[8 * step + t + 4];
      std::uint32_t b_big[kNTiles][2], b_small[kNTiles][2];
      BRAINCAM_UNROLL
      for (int j = 0; j < kNTiles; ++j) {
        const uint4 halves = weights[(step * kNTiles + j) * 32 + lane];
        b_big[j][0] = halves.x;
        b_big[j][1] = halves.y;
        b_small[j][0] = halves.z;
        b_small[j][1] = halves.w;
      }
      std::uint32_t a_big[kWindowsPerWarp][4], a_small[kWindowsPerWarp][4];
      BRAINCAM_UNROLL
      for (int v = 0; v < kWindowsPerWarp; ++v) {
        // a[i]: pixel g (i even) or g + 8 (i odd), product t (i < 2) or t + 4 of the step.
        const int p = pixel + kPool * v;
        const int offsets[4] = {p + offset_lo, p + 2 * kForwardHalo + offset_lo, p + offset_hi,
                                p + 2 * kForwardHalo + offset_hi};
        BRAINCAM_UNROLL
        for (int i = 0; i < 4; ++i) {
          a_big[v][i] = tile_big[offsets[i]];
          a_small[v][i] = tile_small[offsets[i]];
        }
      }
      mma_3xtf32_tile(acc, a_big, a_small, b_big, b_small);
    }
    __syncthreads();  // the next channel group overwrites the tile and the weights
  }

  const int Ho = H / kPool, Wo = W / kPool, i = h0 / kPool + warp, j0 = w0 / kPool;
  BRAINCAM_UNROLL
  for (int j = 0; j < kNTiles; ++j) {
    BRAINCAM_UNROLL
    for (int e = 0; e < 2; ++e) {
      const int k = o0 + 8 * j + 2 * t + e;
      const bool channel = k < K;  // every lane takes part in the shuffles either way
      const float bias = channel ? b[k] : 0.0f, s = channel ? scale[k] : 0.0f,
                  sh = channel ? shift[k] : 0.0f;
      ValueIndex best[kWindowsPerWarp];
      float h_best[kWindowsPerWarp];
      BRAINCAM_UNROLL
      for (int v = 0; v < kWindowsPerWarp; ++v) {
        const float h_lo = acc[v][j][e] + bias, h_hi = acc[v][j][2 + e] + bias;
        const float y_lo = fmaf(h_lo, s, sh), y_hi = fmaf(h_hi, s, sh);
        best[v] = y_hi > y_lo ? ValueIndex{y_hi, g + 8} : ValueIndex{y_lo, g};
        for (int lanes = 4; lanes < 32; lanes *= 2)  // the first maximum in row-major order
          best[v] = FirstMax{}(best[v], shuffle_xor(best[v], lanes));
        // The 8 lanes of this t agree on the winner m; lane 4 (m % 8) + t holds its h.
        h_best[v] =
            __shfl_sync(kFullWarp, best[v].index < 8 ? h_lo : h_hi, best[v].index % 8 * 4 + t);
      }
      // Lane g writes window g.
      ValueIndex mine = best[0];
      float mine_h = h_best[0];
      BRAINCAM_UNROLL
      for (int v = 1; v < kWindowsPerWarp; ++v)
        if (v == g) {
          mine = best[v];
          mine_h = h_best[v];
        }
      if (g >= kWindowsPerWarp || !channel || i >= Ho || j0 + g >= Wo) continue;
      const long out = ((static_cast<long>(n) * K + k) * Ho + i) * Wo + j0 + g;
      F[out] = mine.value > 0.0f ? mine.value : 0.0f;
      if (winner) {
        winner[out] = static_cast<std::uint8_t>(mine.index);
        h_winner[out] = mine_h;
      }
    }
  }
}

constexpr int kSums = kPatch + 2;                 // the taps, g, g * xhat
constexpr int kTapsPerLane = (kPatch + 31) / 32;  // lane l sums taps l, l + 32, l + 64
// The winner sums take the pooled outputs in tiles of 2 x 16 windows, a lane per window, and read
// the patches from the tile's image region staged in shared memory: 8 + 4 rows and 64 + 4
// columns (the patches reach 2 pixels past the windows) of each channel.
constexpr int kSumTileRows = 2, kSumTileCols = 16;
static_assert(kSumTileRows * kSumTileCols == 32, "a lane per window of a tile");
constexpr int kSumChannels = 8;  // output channels per block, a warp each
constexpr int kSumThreads = 32 * kSumChannels;
constexpr int kStagedRows = kPool * kSumTileRows + 4, kStagedCols = kPool * kSumTileCols + 4;
// A row pitch of 5 and a plane stride of 25 banks (mod 32) put tap t = 25 c + 5 row + col of any
// patch in bank (corner + t) mod 32: the 32 lanes reading taps l + 32 j hit 32 banks.
constexpr int kStagedPitch = kStagedCols + (5 - kStagedCols % 32 + 32) % 32;
constexpr int kStagedPlane =
    kStagedRows * kStagedPitch + (25 - kStagedRows * kStagedPitch % 32 + 32) % 32;
static_assert(kStagedPitch % 32 == 5 && kStagedPlane % 32 == 25, "conflict-free patch reads");
// Products are summed in float over a group of 4 windows, then added in double: a quarter of the
// float-to-double conversions (16 per cycle per SM on sm_90), within 3 u of the group's terms.
constexpr int kSumGroup = 4;
// Blocks the winner sums aim for (about two waves of 4 blocks per SM on an H100), each taking at
// least kSumLeastTiles of an image's tiles where it has them: the copies of a block's next tile
// overlap its work on the current one, so a block of one or two tiles would mostly wait.
constexpr int kSumTargetBlocks = 1024, kSumLeastTiles = 3;

__host__ __device__ __forceinline__ int winner_sum_tiles(int H, int W) {
  const int rows = (H / kPool + kSumTileRows - 1) / kSumTileRows,
            cols = (W / kPool + kSumTileCols - 1) / kSumTileCols;
  return rows * cols;
}

// partial[(n * K + k) * shares + s][0..P) = sum over the winners of g * (the winner's patch),
// [P] = sum g, [P + 1] = sum g * xhat, g = dF where F > 0, over share s of image n's tiles (tiles
// s, s + shares, ..., row-major). Grid: (ceil(K / kSumChannels), shares, N); block: kSumThreads.
//
// For each tile the block stages the image region its windows' patches lie in; then warp w takes
// channel k = kSumChannels * blockIdx.x + w: each lane takes one window, adds its g and g * xhat
// to its own sums and stages g and the patch's corner in shared memory, and the warp walks the
// 32 windows together, lane l adding g times taps l, l + 32 and l + 64 of the window's patch. So
// a load instruction of the warp reads 32 taps of one patch without bank conflicts.
__global__ void __launch_bounds__(kSumThreads, 4)
    winner_patch_sums_kernel(double* __restrict__ partial, const float* __restrict__ dF,
                             const float* __restrict__ F, const std::uint8_t* __restrict__ winner,
                             const float* __restrict__ h_winner, const float* __restrict__ x,
                             const double* __restrict__ mean, const double* __restrict__ var, int H,
                             int W, int K, double eps) {
  // Two buffers of a tile's image region, [c][row][column]: the block reads one while the next
  // tile's copies fill the other.
  constexpr int kStaged = kChannels * kStagedPlane;
  BRAINCAM_SHARED(float, staged, 2 * kStaged);
  // Each warp's 32 windows as float4s, so that one broadcast load gives a group's 4 values.
  using Windows = float4[32 / kSumGroup];
  using Corners = uint4[32 / kSumGroup];
  BRAINCAM_SHARED(Windows, staged_g, kSumChannels);
  BRAINCAM_SHARED(Corners, staged_corner, kSumChannels);  // the patch's offset in a buffer
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  const int k = blockIdx.x * kSumChannels + warp, share = blockIdx.y, shares = gridDim.y,
            n = blockIdx.z;
  const bool channel = k < K;  // a warp past the last channel still helps to stage
  const int Ho = H / kPool, Wo = W / kPool, tile_cols = (Wo + kSumTileCols - 1) / kSumTileCols,
            tiles = winner_sum_tiles(H, W);
  const float* image = x + static_cast<long>(n) * kChannels * H * W;
  const long base = (static_cast<long>(n) * K + k) * Ho * Wo;
  const float m = channel ? static_cast<float>(mean[k]) : 0.0f,
              invstd = channel ? static_cast<float>(1.0 / sqrt(var[k] + eps)) : 0.0f;

  // This lane's taps: their offsets from the patch's corner in a buffer.
  int tap_offset[kTapsPerLane];
  BRAINCAM_UNROLL
  for (int j = 0; j < kTapsPerLane; ++j) {
    const int t = lane + 32 * j, c = t / kTaps, tap = t % kTaps;
    tap_offset[j] = c * kStagedPlane + tap / 5 * kStagedPitch + tap % 5;
  }
  double taps[kTapsPerLane] = {}, sum_g = 0.0, sum_gx = 0.0;

  // Issues the copies of a tile's image region into `buffer`: every thread a share.
  // A tile's first window row and column; this lane's window within every tile.
  auto tile_i0 = [&](int tile) { return tile / tile_cols * kSumTileRows; };
  auto tile_j0 = [&](int tile) { return tile % tile_cols * kSumTileCols; };
  const int lane_row = lane / kSumTileCols, lane_col = lane % kSumTileCols;

  auto stage = [&](int tile, float* buffer) {
    const int i0 = tile_i0(tile), j0 = tile_j0(tile);
    for (int e = threadIdx.x; e < kChannels * kStagedRows * kStagedCols; e += kSumThreads) {
      const int c = e / (kStagedRows * kStagedCols), row = e / kStagedCols % kStagedRows,
                col = e % kStagedCols;
      const int h = kPool * i0 - 2 + row, v = kPool * j0 - 2 + col;
      const bool inside = h >= 0 && h < H && v >= 0 && v < W;
      copy_async(buffer + c * kStagedPlane + row * kStagedPitch + col,
                 inside ? image + (static_cast<long>(c) * H + h) * W + v : image, inside);
    }
  };
  // What this lane's window of a tile needs (valid: the window exists for this channel).
  struct Window {
    float F, dF, h;
    int win;
    bool valid;
  };
  auto load_window = [&](int tile) {
    const int i = tile_i0(tile) + lane_row, jw = tile_j0(tile) + lane_col;
    if (!channel || tile >= tiles || i >= Ho || jw >= Wo) return Window{0.0f, 0.0f, 0.0f, 0, false};
    const long o = base + static_cast<long>(i) * Wo + jw;
    return Window{F[o], dF[o], h_winner[o], winner[o], true};
  };

  float* current = staged;
  float* next = staged + kStaged;
  if (share < tiles) stage(share, current);
  Window window = load_window(share);
  for (int tile = share; tile < tiles; tile += shares) {
    float g = 0.0f;
    unsigned corner = 0;
    if (window.valid) {
      g = window.F > 0.0f ? window.dF : 0.0f;
      sum_g += g;
      sum_gx += g * ((window.h - m) * invstd);
      // The patch starts 2 rows above and 2 columns left of the winner, and the staged region 2
      // above and left of the tile: its corner is the winner's place in the tile.
      corner = (kPool * lane_row + window.win / kPool) * kStagedPitch + kPool * lane_col +
               window.win % kPool;
    }
    __syncwarp();  // the warp's lanes have read the previous tile's g and corners
    reinterpret_cast<float*>(staged_g[warp])[lane] = g;
    reinterpret_cast<unsigned*>(staged_corner[warp])[lane] = corner;
    copy_async_wait_all();
    // This tile's region and every warp's windows are staged, and the previous tile's reads of
    // the other buffer are done: the next tile's copies may fill it while this one is summed.
    __syncthreads();
    if (tile + shares < tiles) stage(tile + shares, next);
    window = load_window(tile + shares);
    for (int group = 0; group < 32 / kSumGroup; ++group) {
      const float4 g4 = staged_g[warp][group];
      const uint4 corner4 = staged_corner[warp][group];
      const float ge[kSumGroup] = {g4.x, g4.y, g4.z, g4.w};
      const unsigned ce[kSumGroup] = {corner4.x, corner4.y, corner4.z, corner4.w};
      float products[kTapsPerLane] = {};
      BRAINCAM_UNROLL
      for (int u = 0; u < kSumGroup; ++u) {
        if (ge[u] == 0.0f) continue;  // the same for every lane (and always past the last channel)
        BRAINCAM_UNROLL
        for (int j = 0; j < kTapsPerLane; ++j)
          if (lane + 32 * j < kPatch)
            products[j] = fmaf(ge[u], current[ce[u] + tap_offset[j]], products[j]);
      }
      BRAINCAM_UNROLL
      for (int j = 0; j < kTapsPerLane; ++j) taps[j] += products[j];
    }
    float* const summed = current;
    current = next;
    next = summed;
  }
  // g and g * xhat over the warp's windows: a shuffle tree of the lanes' sums.
  sum_g = warp_reduce(sum_g, Sum{});
  sum_gx = warp_reduce(sum_gx, Sum{});
  if (!channel) return;
  double* out = partial + ((static_cast<long>(n) * K + k) * shares + share) * kSums;
  BRAINCAM_UNROLL
  for (int j = 0; j < kTapsPerLane; ++j)
    if (lane + 32 * j < kPatch) out[lane + 32 * j] = taps[j];
  if (lane == 0) {
    out[kPatch] = sum_g;
    out[kPatch + 1] = sum_gx;
  }
}

// Grid: K; block: kWeightParts x kWeightSlots threads. Part p of the block adds terms p,
// p + kWeightParts, ... of the N x shares partial sums of each slot (several loads in flight per
// thread, where one thread per slot would wait on N x shares loads in turn); the parts are then
// added in order, and the closed form dw = k (sparse - dbeta mu - dgamma invstd Sigma w) applied.
constexpr int kWeightSlots = 96, kWeightParts = 4;  // slots: the sums, rounded up to whole warps
static_assert(kWeightSlots >= kSums && kWeightSlots % 32 == 0);
__global__ void weight_gradient_kernel(float* __restrict__ dw, float* __restrict__ db,
                                       float* __restrict__ dgamma, float* __restrict__ dbeta,
                                       const double* __restrict__ partial,
                                       const float* __restrict__ w, const float* __restrict__ gamma,
                                       const double* __restrict__ var,
                                       const double* __restrict__ patch_mean,
                                       const double* __restrict__ patch_cov, int N, int K,
                                       int shares, double eps) {
  BRAINCAM_SHARED(double, part_sums, kWeightParts* kWeightSlots);  // [part][slot]
  const int k = blockIdx.x, t = threadIdx.x % kWeightSlots, part = threadIdx.x / kWeightSlots;
  double sum = 0.0;
  if (t < kSums) {
    BRAINCAM_UNROLL_BY(8)
    for (int term = part; term < N * shares; term += kWeightParts) {
      const int n = term / shares, s = term % shares;
      sum += partial[((static_cast<long>(n) * K + k) * shares + s) * kSums + t];
    }
  }
  part_sums[part * kWeightSlots + t] = sum;
  __syncthreads();
  if (part != 0) return;
  auto total = [&](int slot) {
    double value = 0.0;
    for (int p = 0; p < kWeightParts; ++p) value += part_sums[p * kWeightSlots + slot];
    return value;
  };
  const double d_beta = total(kPatch), d_gamma = total(kPatch + 1);
  const double invstd = 1.0 / sqrt(var[k] + eps), scale = gamma[k] * invstd;
  const float* wk = w + static_cast<long>(k) * kPatch;
  if (t < kPatch) {
    double cov_w = 0.0;
    for (int t2 = 0; t2 < kPatch; ++t2) cov_w += patch_cov[t * kPatch + t2] * wk[t2];
    dw[static_cast<long>(k) * kPatch + t] =
        static_cast<float>(scale * (total(t) - d_beta * patch_mean[t] - d_gamma * invstd * cov_w));
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
                                            float* batch_var, const double* mean, const double* var,
                                            const float* gamma, const float* beta, int K,
                                            double eps, Stream stream) {
  require_positive_sizes("batchnorm_affine_from_batch", {{"K", K}});
  launch(batchnorm_affine_from_batch_kernel, elementwise_grid(K, 128), 128, 0, stream, scale, shift,
         batch_mean, batch_var, mean, var, gamma, beta, K, eps);
}

template <>
void batchnorm_affine_from_running<KernelSet>(float* scale, float* shift, const float* running_mean,
                                              const float* running_var, const float* gamma,
                                              const float* beta, int K, float eps, Stream stream) {
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
  const auto tiles = [](int size) { return (size + kForwardTile - 1) / kForwardTile; };
  const dim3 grid(static_cast<unsigned>(tiles(H) * tiles(W)),
                  static_cast<unsigned>((K + kForwardOut - 1) / kForwardOut),
                  static_cast<unsigned>(N));
  launch(conv_bn_relu_pool_forward_kernel, grid, kForwardThreads, 0, stream, F, winner, h_winner, x,
         w, b, scale, shift, C, H, W, K);
}

template <>
void conv_bn_relu_pool_backward<KernelSet>(float* dw, float* db, float* dgamma, float* dbeta,
                                           const float* dF, const float* F,
                                           const std::uint8_t* winner, const float* h_winner,
                                           const float* x, const float* w, const float* gamma,
                                           const double* mean, const double* var,
                                           const double* patch_mean, const double* patch_cov, int N,
                                           int C, int H, int W, int K, double eps, Stream stream) {
  require_pooled_sizes("conv_bn_relu_pool_backward", N, C, H, W, K);
  if (C != kChannels)
    throw std::invalid_argument("conv_bn_relu_pool_backward: the GPU kernel takes " +
                                std::to_string(kChannels) + " input channels, got " +
                                std::to_string(C));
  // Each image's tiles in shares, for enough blocks to fill the GPU, each taking kSumLeastTiles
  // tiles or more where the image has them (at batch 32 and 240 x 240: 8 shares of 15 tiles).
  const int groups = (K + kSumChannels - 1) / kSumChannels, tiles = winner_sum_tiles(H, W),
            shares = std::clamp(kSumTargetBlocks / (groups * N), 1,
                                (tiles + kSumLeastTiles - 1) / kSumLeastTiles);
  Scratch<double> partial(static_cast<std::size_t>(N) * K * shares * kSums, stream);
  launch(
      winner_patch_sums_kernel,
      dim3(static_cast<unsigned>(groups), static_cast<unsigned>(shares), static_cast<unsigned>(N)),
      kSumThreads, 0, stream, partial.data(), dF, F, winner, h_winner, x, mean, var, H, W, K, eps);
  launch(weight_gradient_kernel, K, kWeightParts * kWeightSlots, 0, stream, dw, db, dgamma, dbeta,
         partial.data(), w, gamma, var, patch_mean, patch_cov, N, K, shares, eps);
}

}  // namespace braincam::cuda
