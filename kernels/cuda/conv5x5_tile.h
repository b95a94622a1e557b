#pragma once
// The main loop of the tiled 5x5 convolution (stride 1, zero padding 2) in float, shared by
// conv5x5.cu's forward and input gradient, which differ only in their weights and what they do
// with the sums. (The fused first layer, conv_bn_relu_pool.cu, convolves on tensor cores.)
//
// A block of kTile x kThreadRows threads computes a kTile x kTile tile of output pixels for
// kOutPerBlock output channels: thread (x, y) the kRowsPerThread pixels of column x in rows
// kRowsPerThread * y + r, so 4 x 16 accumulators per thread. It steps through the input channels
// kInPerStep at a time, staging their (kTile + 4)^2 input tiles (the output tile plus the 2-pixel
// halo, zero outside the image) and the matching weights in shared memory. For each input channel
// and kernel column a thread loads the 8 input values its 4 rows need under the 5 kernel rows
// once, and each weight serves its 4 rows. The weights of 4 output channels are read together (one
// 16-byte broadcast load): 320 multiply-adds for 8 + 20 loads from shared memory, where a load per
// weight made it 8 + 80 and the loads, not the multiply-adds, the bound.
#include "kernels/cuda/simt.h"

namespace braincam::cuda {
namespace {

constexpr int kTaps = 25;
constexpr int kTile = 16;
constexpr int kHalo = kTile + 4;
constexpr int kOutPerBlock = 16;
constexpr int kInPerStep = 4;
constexpr int kRowsPerThread = 4;
constexpr int kThreadRows = kTile / kRowsPerThread;
constexpr int kTileThreads = kTile * kThreadRows;
// The tiled kernels' __launch_bounds__: at most 128 registers a thread, so that 8 blocks of
// kTileThreads fit on an SM (left to itself nvcc may take up to 168, and 6 blocks fit).
constexpr int kTileBlocksPerSM = 8;

// The weight that output channel o takes from input channel i at tap t:
//   forward         w[o][i][t]        (w: Cout x Cin x 5 x 5)
//   input gradient  w[i][o][24 - t]   (w: Cin x Cout x 5 x 5, i.e. the forward's K x C)
template <bool kInputGradient>
__device__ __forceinline__ float tap_weight(const float* w, int o, int i, int t, int Cin,
                                            int Cout) {
  return kInputGradient ? w[(static_cast<long>(i) * Cout + o) * kTaps + (kTaps - 1 - t)]
                        : w[(static_cast<long>(o) * Cin + i) * kTaps + t];
}

// acc[r][o] += the convolution of image (Cin x H x W) with the weights of output channel o0 + o,
// at the pixel (h0 + kRowsPerThread * threadIdx.y + r, w0 + threadIdx.x). Channels o0 + o >= Cout
// get zero weights. Every thread of the block must call it (it synchronizes).
template <bool kInputGradient>
__device__ void conv5x5_tile_accumulate(float (&acc)[kRowsPerThread][kOutPerBlock],
                                        const float* image, const float* w, int Cin, int H, int W,
                                        int Cout, int h0, int w0, int o0) {
  BRAINCAM_SHARED(float, tile, kInPerStep* kHalo* kHalo);  // [i][row][column]
  constexpr int kQuads = kOutPerBlock / 4;
  static_assert(kOutPerBlock % 4 == 0, "the weights are read four channels at a time");
  BRAINCAM_SHARED(float4, taps, kInPerStep * kTaps * kQuads);  // [i][tap][o / 4], o % 4 in x..w
  const int tx = threadIdx.x, row0 = kRowsPerThread * threadIdx.y;
  const int tid = threadIdx.y * kTile + tx;
  for (int i0 = 0; i0 < Cin; i0 += kInPerStep) {
    for (int e = tid; e < kInPerStep * kHalo * kHalo; e += kTileThreads) {
      const int i = i0 + e / (kHalo * kHalo), ih = h0 + e / kHalo % kHalo - 2,
                iw = w0 + e % kHalo - 2;
      const bool inside = i < Cin && ih >= 0 && ih < H && iw >= 0 && iw < W;
      tile[e] = inside ? image[(static_cast<long>(i) * H + ih) * W + iw] : 0.0f;
    }
    for (int e = tid; e < kInPerStep * kTaps * kQuads; e += kTileThreads) {
      const int i = i0 + e / (kTaps * kQuads), t = e / kQuads % kTaps, o = o0 + 4 * (e % kQuads);
      float four[4];
      BRAINCAM_UNROLL
      for (int j = 0; j < 4; ++j)
        four[j] =
            i < Cin && o + j < Cout ? tap_weight<kInputGradient>(w, o + j, i, t, Cin, Cout) : 0.0f;
      taps[e] = float4{four[0], four[1], four[2], four[3]};
    }
    __syncthreads();
    const int channels = Cin - i0 < kInPerStep ? Cin - i0 : kInPerStep;
    for (int i = 0; i < channels; ++i) {
      BRAINCAM_UNROLL
      for (int kw = 0; kw < 5; ++kw) {
        float in[kRowsPerThread + 4];
        BRAINCAM_UNROLL
        for (int t = 0; t < kRowsPerThread + 4; ++t)
          in[t] = tile[(i * kHalo + row0 + t) * kHalo + tx + kw];
        BRAINCAM_UNROLL
        for (int kh = 0; kh < 5; ++kh) {
          const float4* weights = taps + (i * kTaps + kh * 5 + kw) * kQuads;
          BRAINCAM_UNROLL
          for (int q = 0; q < kQuads; ++q) {
            const float4 four = weights[q];
            const float wo[4] = {four.x, four.y, four.z, four.w};
            BRAINCAM_UNROLL
            for (int j = 0; j < 4; ++j) {
              BRAINCAM_UNROLL
              for (int r = 0; r < kRowsPerThread; ++r) acc[r][4 * q + j] += in[r + kh] * wo[j];
            }
          }
        }
      }
    }
    __syncthreads();  // the next step overwrites the tiles
  }
}

// Grid of the tiled kernels: (tiles of the image, groups of kOutPerBlock channels, N); block:
// conv5x5_tile_block().
inline dim3 conv5x5_tile_grid(int H, int W, int Cout, int N) {
  const unsigned tiles =
      static_cast<unsigned>(((H + kTile - 1) / kTile) * ((W + kTile - 1) / kTile));
  return dim3(tiles, static_cast<unsigned>((Cout + kOutPerBlock - 1) / kOutPerBlock),
              static_cast<unsigned>(N));
}

inline dim3 conv5x5_tile_block() { return dim3(kTile, kThreadRows); }

}  // namespace
}  // namespace braincam::cuda
