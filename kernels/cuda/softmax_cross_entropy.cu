// Softmax cross-entropy of logits against class indices. Forward: one block sums the per-image
// losses (each thread a strided share of the images, each image's K logits in order, then the
// deterministic block sum) and divides by N. Backward: one thread per logit, each going over its
// image's K logits again for the row's largest value and exp sum (K is a handful of classes);
// the loss's gradient is read through its pointer, so it never leaves the device.
#include "kernels/cuda/block_reduce.h"
#include "kernels/cuda/positive_sizes.h"
#include "kernels/cuda/simt.h"
#include "kernels/cuda/softmax_cross_entropy.h"

namespace braincam::cuda {

namespace {

constexpr int kThreads = 256;

// A row's largest logit and Σ_k exp(z - largest), in the order of the CPU reference.
struct ShiftedExpSum {
  float largest, sum;
};

__device__ ShiftedExpSum shifted_exp_sum(const float* __restrict__ row, int K) {
  float largest = row[0];
  for (int k = 1; k < K; ++k) largest = fmaxf(largest, row[k]);
  float sum = 0.0f;
  for (int k = 0; k < K; ++k) sum += expf(row[k] - largest);
  return {largest, sum};
}

__global__ void softmax_cross_entropy_forward_kernel(float* __restrict__ loss,
                                                     const float* __restrict__ z,
                                                     const std::int64_t* __restrict__ y, int N,
                                                     int K) {
  float total = 0.0f;
  for (int n = threadIdx.x; n < N; n += kThreads) {
    const float* row = z + static_cast<long>(n) * K;
    const ShiftedExpSum r = shifted_exp_sum(row, K);
    total += r.largest + logf(r.sum) - row[y[n]];
  }
  total = block_sum<kThreads>(total);
  if (threadIdx.x == 0) *loss = total / N;
}

__global__ void softmax_cross_entropy_backward_kernel(float* __restrict__ dz,
                                                      const float* __restrict__ z,
                                                      const std::int64_t* __restrict__ y,
                                                      const float* __restrict__ dloss, int N,
                                                      int K) {
  const long total = static_cast<long>(N) * K;
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < total;
       i += static_cast<long>(gridDim.x) * blockDim.x) {
    const long n = i / K;
    const int k = static_cast<int>(i - n * K);
    const ShiftedExpSum r = shifted_exp_sum(z + n * K, K);
    const float target = k == y[n] ? 1.0f : 0.0f;
    dz[i] = *dloss * (expf(z[i] - r.largest) / r.sum - target) / N;
  }
}

}  // namespace

template <>
void softmax_cross_entropy_forward<KernelSet>(float* loss, const float* z, const std::int64_t* y,
                                              int N, int K, Stream stream) {
  require_positive_sizes("softmax_cross_entropy_forward", {{"N", N}, {"K", K}});
  launch(softmax_cross_entropy_forward_kernel, 1, kThreads, 0, stream, loss, z, y, N, K);
}

template <>
void softmax_cross_entropy_backward<KernelSet>(float* dz, const float* z, const std::int64_t* y,
                                               const float* dloss, int N, int K, Stream stream) {
  require_positive_sizes("softmax_cross_entropy_backward", {{"N", N}, {"K", K}});
  launch(softmax_cross_entropy_backward_kernel,
         elementwise_grid(static_cast<long>(N) * K, kThreads), kThreads, 0, stream, dz, z, y, dloss,
         N, K);
}

}  // namespace braincam::cuda
