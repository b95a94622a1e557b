// The CAM reduction and the CAM guidance.
//
// cam_reduce_kernel: one thread per (image, cell) adds the C channels' w * P in channel order
//   (a grid-stride loop; neighbouring threads read neighbouring cells, so loads coalesce).
// cam_guidance in two kernels, so that a batch of 32 spreads over a few hundred blocks (one
//   block per image took 37 us on an H100, using 32 of its 132 SMs):
//   cam_row_kernel: one block per (image, row of cells): its threads pool the row's windows of
//     every channel (the first maximum, as maxpool4) into shared memory, then a thread per cell
//     adds w * max in channel order and writes the cam value to s. The pooled map never goes to
//     global memory.
//   softmax_rows_kernel: one block per image: the block's maximum, exp(cam - max), the block's
//     sum and the division give the softmax, in place in s.
//   With K classes, cam_row_kernel reads the fc weight's row of each image's class, which
//   guidance_classes_kernel finds first: one block per image computes the attention-free logits
//   z0 as linear_forward_kernel does (a thread's strided share of w * x, then the block sum, then
//   the bias), pooling each window where it reads it, and keeps the first maximal index.
#include <string>

#include "kernels/cuda/block_reduce.h"
#include "kernels/cuda/cam.h"
#include "kernels/cuda/pool_window.h"
#include "kernels/cuda/positive_sizes.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kThreads = 256;
// A row of an image's cam lives in shared memory in the softmax, beside the reductions' few words;
// so does a row of cells' pooled values, channel by channel, in the cam.
constexpr int kMaxSharedFloats = 12000;

__global__ void cam_reduce_kernel(float* __restrict__ cam, const float* __restrict__ P,
                                  const float* __restrict__ w, int N, int C, int HW) {
  const long cells = static_cast<long>(N) * HW;
  for (long o = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; o < cells;
       o += static_cast<long>(gridDim.x) * blockDim.x) {
    const long n = o / HW;
    const int p = static_cast<int>(o % HW);
    float acc = 0.0f;
    for (int c = 0; c < C; ++c) acc += w[c * HW + p] * P[(n * C + c) * HW + p];
    cam[o] = acc;
  }
}

// s[n][i * Wo + j] = sum over c of w[c][i * Wo + j] * (the first maximum of window (i, j) of
// F[n][c]), added in channel order. Grid: (N, H / 4) blocks of kThreads; dynamic shared memory:
// C * W / 4 floats.
__global__ void cam_row_kernel(float* __restrict__ s, const float* __restrict__ F,
                               const float* __restrict__ w,
                               const std::int64_t* __restrict__ classes, int C, int H, int W) {
  BRAINCAM_DYNAMIC_SHARED(float, pooled);  // [c][j]
  const int Wo = W / 4, cells = (H / 4) * Wo, n = blockIdx.x, i = blockIdx.y;
  if (classes) w += classes[n] * C * static_cast<long>(cells);
  const float* image = F + static_cast<long>(n) * C * H * W;
  for (int e = threadIdx.x; e < C * Wo; e += kThreads)
    pooled[e] = window_first_max(image + static_cast<long>(e / Wo) * H * W, W, i, e % Wo).value;
  __syncthreads();
  for (int j = threadIdx.x; j < Wo; j += kThreads) {
    const int p = i * Wo + j;
    float acc = 0.0f;
    for (int c = 0; c < C; ++c) acc += w[c * cells + p] * pooled[c * Wo + j];
    s[static_cast<long>(n) * cells + p] = acc;
  }
}

// Each row of s (N x cells) replaced by its softmax, shifted by the row's maximum. Grid: N blocks
// of kThreads; dynamic shared memory: one float per cell.
__global__ void softmax_rows_kernel(float* __restrict__ s, int cells) {
  BRAINCAM_DYNAMIC_SHARED(float, cam);
  float* row = s + static_cast<long>(blockIdx.x) * cells;
  float top = -INFINITY;
  for (int p = threadIdx.x; p < cells; p += kThreads) top = fmaxf(top, cam[p] = row[p]);
  top = block_reduce<kThreads>(top, Max{});
  float total = 0.0f;
  for (int p = threadIdx.x; p < cells; p += kThreads) total += cam[p] = expf(cam[p] - top);
  total = block_sum<kThreads>(total);
  for (int p = threadIdx.x; p < cells; p += kThreads) row[p] = cam[p] / total;
}

// Grid: N blocks of kThreads.
__global__ void guidance_classes_kernel(std::int64_t* __restrict__ classes,
                                        const float* __restrict__ F, const float* __restrict__ w,
                                        const float* __restrict__ b, int C, int H, int W, int K) {
  const int Wo = W / 4, cells = (H / 4) * Wo, In = C * cells;
  const float* image = F + static_cast<long>(blockIdx.x) * C * H * W;
  int best = 0;
  float best_value = 0.0f;
  for (int k = 0; k < K; ++k) {
    const float* wk = w + static_cast<long>(k) * In;
    float acc = 0.0f;
    for (int e = threadIdx.x; e < In; e += kThreads) {
      const int c = e / cells, p = e % cells;
      acc +=
          wk[e] * window_first_max(image + static_cast<long>(c) * H * W, W, p / Wo, p % Wo).value;
    }
    const float z = block_sum<kThreads>(acc) + b[k];  // every thread holds the block's sum
    if (k == 0 || (!isnan(best_value) && (isnan(z) || z > best_value))) {
      best = k;
      best_value = z;
    }
  }
  if (threadIdx.x == 0) classes[blockIdx.x] = best;
}

}  // namespace

template <>
void cam_reduce<KernelSet>(float* cam, const float* P, const float* w, int N, int C, int HW,
                           Stream stream) {
  require_positive_sizes("cam_reduce", {{"N", N}, {"C", C}, {"HW", HW}});
  launch(cam_reduce_kernel, elementwise_grid(static_cast<long>(N) * HW, kThreads), kThreads, 0,
         stream, cam, P, w, N, C, HW);
}

template <>
void cam_guidance<KernelSet>(float* s, const float* F, const float* w, int N, int C, int H, int W,
                             Stream stream, const std::int64_t* classes) {
  require_positive_sizes("cam_guidance", {{"N", N}, {"C", C}, {"H / 4", H / 4}, {"W / 4", W / 4}});
  const int cells = (H / 4) * (W / 4);
  const long pooled = static_cast<long>(C) * (W / 4);
  if (cells > kMaxSharedFloats || pooled > kMaxSharedFloats)
    throw std::invalid_argument("cam_guidance: " + std::to_string(cells) + " cells, or " +
                                std::to_string(C) + " channels of " + std::to_string(W / 4) +
                                " cells a row, do not fit in shared memory (at most " +
                                std::to_string(kMaxSharedFloats) + " of each)");
  launch(cam_row_kernel, dim3(static_cast<unsigned>(N), static_cast<unsigned>(H / 4)), kThreads,
         pooled * sizeof(float), stream, s, F, w, classes, C, H, W);
  launch(softmax_rows_kernel, static_cast<unsigned>(N), kThreads, cells * sizeof(float), stream, s,
         cells);
}

template <>
void guidance_classes<KernelSet>(std::int64_t* classes, const float* F, const float* w,
                                 const float* b, int N, int C, int H, int W, int K, Stream stream) {
  require_positive_sizes("guidance_classes",
                         {{"N", N}, {"C", C}, {"H / 4", H / 4}, {"W / 4", W / 4}, {"K", K}});
  launch(guidance_classes_kernel, static_cast<unsigned>(N), kThreads, 0, stream, classes, F, w, b,
         C, H, W, K);
}

}  // namespace braincam::cuda
