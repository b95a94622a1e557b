// 4x4 max pooling: one thread per window (a grid-stride loop over the NC x H/4 x W/4 windows).
// Forward scans the window in row-major order with a strict comparison, as the CPU reference, so
// the first maximum wins. Backward writes the whole window (dy at the winner, zero elsewhere):
// the windows tile the plane, so every element of dx is written exactly once, without a separate
// zero fill and without atomics.
#include "kernels/cuda/maxpool4.h"
#include "kernels/cuda/pool_window.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kThreads = 256;

__global__ void maxpool4_forward_kernel(float* __restrict__ y, std::int32_t* __restrict__ argmax,
                                        const float* __restrict__ x, int NC, int H, int W) {
  const int Ho = H / 4, Wo = W / 4;
  const long windows = static_cast<long>(NC) * Ho * Wo;
  for (long o = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; o < windows;
       o += static_cast<long>(gridDim.x) * blockDim.x) {
    const int j = static_cast<int>(o % Wo), i = static_cast<int>(o / Wo % Ho);
    const float* plane = x + o / (static_cast<long>(Ho) * Wo) * H * W;
    const WindowMax best = window_first_max(plane, W, i, j);
    y[o] = best.value;
    if (argmax) argmax[o] = best.index;
  }
}

__global__ void maxpool4_backward_kernel(float* __restrict__ dx, const float* __restrict__ dy,
                                         const std::int32_t* __restrict__ argmax, int NC, int H,
                                         int W) {
  const int Ho = H / 4, Wo = W / 4;
  const long windows = static_cast<long>(NC) * Ho * Wo;
  for (long o = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; o < windows;
       o += static_cast<long>(gridDim.x) * blockDim.x) {
    const int j = static_cast<int>(o % Wo), i = static_cast<int>(o / Wo % Ho);
    float* plane = dx + o / (static_cast<long>(Ho) * Wo) * H * W;
    const int winner = argmax[o];
    const float g = dy[o];
    for (int di = 0; di < 4; ++di)
      for (int dj = 0; dj < 4; ++dj) {
        const int idx = (4 * i + di) * W + 4 * j + dj;
        plane[idx] = idx == winner ? g : 0.0f;
      }
  }
}

}  // namespace

template <>
void maxpool4_forward<KernelSet>(float* y, std::int32_t* argmax, const float* x, int NC, int H,
                                 int W, Stream stream) {
  const long windows = static_cast<long>(NC) * (H / 4) * (W / 4);
  if (windows == 0) return;
  launch(maxpool4_forward_kernel, elementwise_grid(windows, kThreads), kThreads, 0, stream, y,
         argmax, x, NC, H, W);
}

template <>
void maxpool4_backward<KernelSet>(float* dx, const float* dy, const std::int32_t* argmax, int NC,
                                  int H, int W, Stream stream) {
  const long windows = static_cast<long>(NC) * (H / 4) * (W / 4);
  if (windows == 0) return;
  launch(maxpool4_backward_kernel, elementwise_grid(windows, kThreads), kThreads, 0, stream, dx, dy,
         argmax, NC, H, W);
}

}  // namespace braincam::cuda
