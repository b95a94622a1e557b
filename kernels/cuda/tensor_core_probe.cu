// One warp for the product, a grid-stride loop for the rounding.
#include "kernels/cuda/tensor_core_probe.h"

#include "kernels/cuda/simt.h"
#include "kernels/cuda/tensor_core.h"

namespace braincam::cuda {

namespace {

__global__ void tensor_core_product_kernel(float* __restrict__ D, const float* __restrict__ A,
                                           const float* __restrict__ B,
                                           const float* __restrict__ C) {
  const int lane = threadIdx.x, g = lane / 4, t = lane % 4;
  std::uint32_t a[4], b[2];
  float d[4];
  for (int i = 0; i < 4; ++i) {
    a[i] = tf32_round(A[(i % 2 * 8 + g) * 8 + i / 2 * 4 + t]);
    d[i] = C[(i / 2 * 8 + g) * 8 + 2 * t + i % 2];
  }
  for (int i = 0; i < 2; ++i) b[i] = tf32_round(B[(i * 4 + t) * 8 + g]);
  mma_tf32_m16n8k8(d, a, b);
  for (int i = 0; i < 4; ++i) D[(i / 2 * 8 + g) * 8 + 2 * t + i % 2] = d[i];
}

__global__ void tf32_round_kernel(float* __restrict__ rounded, const float* __restrict__ x,
                                  long n) {
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < n;
       i += static_cast<long>(gridDim.x) * blockDim.x)
    rounded[i] = __uint_as_float(tf32_round(x[i]));
}

}  // namespace

template <>
void tensor_core_product<KernelSet>(float* D, const float* A, const float* B, const float* C,
                                    Stream stream) {
  launch(tensor_core_product_kernel, 1, 32, 0, stream, D, A, B, C);
}

template <>
void tf32_round_values<KernelSet>(float* rounded, const float* x, long n, Stream stream) {
  if (n == 0) return;
  launch(tf32_round_kernel, elementwise_grid(n, 256), 256, 0, stream, rounded, x, n);
}

}  // namespace braincam::cuda
