// Binary cross-entropy on logits. Forward: one block sums the per-image losses (each thread a
// strided share, then the deterministic block sum) and divides by N. Backward: one thread per
// image; the loss's gradient is read through its pointer, so it never leaves the device.
#include "kernels/cuda/bce.h"
#include "kernels/cuda/block_reduce.h"
#include "kernels/cuda/positive_sizes.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kThreads = 256;

__global__ void bce_forward_kernel(float* __restrict__ loss, const float* __restrict__ z,
                                   const float* __restrict__ y, int N) {
  float total = 0.0f;
  for (int n = threadIdx.x; n < N; n += kThreads)
    total += fmaxf(z[n], 0.0f) - z[n] * y[n] + log1pf(expf(-fabsf(z[n])));
  total = block_sum<kThreads>(total);
  if (threadIdx.x == 0) *loss = total / N;
}

__global__ void bce_backward_kernel(float* __restrict__ dz, const float* __restrict__ z,
                                    const float* __restrict__ y, const float* __restrict__ dloss,
                                    int N) {
  for (int n = blockIdx.x * blockDim.x + threadIdx.x; n < N; n += gridDim.x * blockDim.x)
    dz[n] = *dloss * (1.0f / (1.0f + expf(-z[n])) - y[n]) / N;
}

}  // namespace

template <>
void bce_with_logits_forward<KernelSet>(float* loss, const float* z, const float* y, int N,
                                        Stream stream) {
  require_positive_sizes("bce_with_logits_forward", {{"N", N}});
  launch(bce_forward_kernel, 1, kThreads, 0, stream, loss, z, y, N);
}

template <>
void bce_with_logits_backward<KernelSet>(float* dz, const float* z, const float* y,
                                         const float* dloss, int N, Stream stream) {
  require_positive_sizes("bce_with_logits_backward", {{"N", N}});
  launch(bce_backward_kernel, elementwise_grid(N, kThreads), kThreads, 0, stream, dz, z, y, dloss,
         N);
}

}  // namespace braincam::cuda
