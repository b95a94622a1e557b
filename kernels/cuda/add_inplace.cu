// dst += src: a grid-stride loop, one element per thread per step. Memory-bound.
#include "kernels/cuda/add_inplace.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kThreads = 256;

__global__ void add_inplace_kernel(float* __restrict__ dst, const float* __restrict__ src, long n) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long>(gridDim.x) * blockDim.x)
    dst[i] += src[i];
}

}  // namespace

template <>
void add_inplace<KernelSet>(float* dst, const float* src, long n, Stream stream) {
  if (n == 0) return;
  launch(add_inplace_kernel, elementwise_grid(n, kThreads), kThreads, 0, stream, dst, src, n);
}

}  // namespace braincam::cuda
