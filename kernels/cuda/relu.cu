// ReLU: a grid-stride loop, one element per thread per step. Memory-bound: each element is read
// once and written once.
#include "kernels/cuda/relu.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kThreads = 256;

__global__ void relu_forward_kernel(float* __restrict__ y, const float* __restrict__ x, long n) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long>(gridDim.x) * blockDim.x)
    y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

__global__ void relu_backward_kernel(float* __restrict__ dx, const float* __restrict__ dy,
                                     const float* __restrict__ y, long n) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long>(gridDim.x) * blockDim.x)
    dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

}  // namespace

template <>
void relu_forward<KernelSet>(float* y, const float* x, long n, Stream stream) {
  if (n == 0) return;
  launch(relu_forward_kernel, elementwise_grid(n, kThreads), kThreads, 0, stream, y, x, n);
}

template <>
void relu_backward<KernelSet>(float* dx, const float* dy, const float* y, long n, Stream stream) {
  if (n == 0) return;
  launch(relu_backward_kernel, elementwise_grid(n, kThreads), kThreads, 0, stream, dx, dy, y, n);
}

}  // namespace braincam::cuda
