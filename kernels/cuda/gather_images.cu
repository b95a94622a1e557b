// Gathering a batch from stored uint8 images: one thread per (image of the batch, pixel), which
// reads the pixel's C bytes and writes one float to each of the C planes. Memory-bound: a batch
// of 32 240x240 RGB images reads 5.5 MB and writes 22 MB. The division by 255 is IEEE (nvcc's
// default -prec-div=true), so the floats match the CPU's to the bit.
#include "kernels/cuda/gather_images.h"
#include "kernels/cuda/positive_sizes.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kThreads = 256;

__global__ void gather_images_kernel(float* __restrict__ out,
                                     const std::uint8_t* __restrict__ images,
                                     const std::int32_t* __restrict__ index, int N, int C,
                                     long plane) {
  const long total = N * plane;
  for (long e = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; e < total;
       e += static_cast<long>(gridDim.x) * blockDim.x) {
    const long b = e / plane, i = e % plane;
    const std::uint8_t* pixel = images + (index[b] * plane + i) * C;
    float* x = out + b * plane * C + i;
    for (int c = 0; c < C; ++c) x[c * plane] = static_cast<float>(pixel[c]) / 255.0f;
  }
}

}  // namespace

template <>
void gather_images<KernelSet>(float* out, const std::uint8_t* images, const std::int32_t* index,
                              int N, int C, int H, int W, Stream stream) {
  require_positive_sizes("gather_images", {{"N", N}, {"C", C}, {"H", H}, {"W", W}});
  const long plane = static_cast<long>(H) * W;
  launch(gather_images_kernel, elementwise_grid(N * plane, kThreads), kThreads, 0, stream, out,
         images, index, N, C, plane);
}

}  // namespace braincam::cuda
