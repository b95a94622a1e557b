// The CAM reduction and the CAM guidance.
//
// cam_reduce_kernel: one thread per (image, cell) adds the C channels' w * P in channel order
//   (a grid-stride loop; neighbouring threads read neighbouring cells, so loads coalesce).
// cam_guidance_kernel: one block per image, fused: each thread takes cells in a strided loop,
//   pools every channel's 4x4 window (the first maximum, as maxpool4) and adds w * max in channel
//   order into shared memory; then the block's maximum, exp(cam - max), the block's sum and the
//   division give the softmax. The pooled map never goes to global memory.
#include "kernels/cuda/cam.h"

#include <string>

#include "kernels/cuda/block_reduce.h"
#include "kernels/cuda/pool_window.h"
#include "kernels/cuda/positive_sizes.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kThreads = 256;
// The cam row of an image lives in shared memory, beside the reductions' few words.
constexpr int kMaxCells = 12000;

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

// Grid: N blocks of kThreads; dynamic shared memory: one float per cell.
__global__ void cam_guidance_kernel(float* __restrict__ s, const float* __restrict__ F,
                                    const float* __restrict__ w, int C, int H, int W) {
  BRAINCAM_DYNAMIC_SHARED(float, cam);
  const int Wo = W / 4, cells = (H / 4) * Wo;
  const float* image = F + static_cast<long>(blockIdx.x) * C * H * W;
  float top = -INFINITY;
  for (int p = threadIdx.x; p < cells; p += kThreads) {
    float acc = 0.0f;
    // Unrolled: four channels' windows loaded at once, then added in channel order.
    BRAINCAM_UNROLL_BY(4)
    for (int c = 0; c < C; ++c)
      acc += w[c * cells + p] *
             window_first_max(image + static_cast<long>(c) * H * W, W, p / Wo, p % Wo).value;
    cam[p] = acc;
    top = fmaxf(top, acc);
  }
  top = block_reduce<kThreads>(top, Max{});
  float total = 0.0f;
  for (int p = threadIdx.x; p < cells; p += kThreads) total += cam[p] = expf(cam[p] - top);
  total = block_sum<kThreads>(total);
  float* row = s + static_cast<long>(blockIdx.x) * cells;
  for (int p = threadIdx.x; p < cells; p += kThreads) row[p] = cam[p] / total;
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
                             Stream stream) {
  require_positive_sizes("cam_guidance", {{"N", N}, {"C", C}, {"H / 4", H / 4}, {"W / 4", W / 4}});
  const int cells = (H / 4) * (W / 4);
  if (cells > kMaxCells)
    throw std::invalid_argument("cam_guidance: " + std::to_string(cells) +
                                " cells do not fit in shared memory (at most " +
                                std::to_string(kMaxCells) + ")");
  launch(cam_guidance_kernel, static_cast<unsigned>(N), kThreads, cells * sizeof(float), stream, s,
         F, w, C, H, W);
}

}  // namespace braincam::cuda
