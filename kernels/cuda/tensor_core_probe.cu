// One warp for the product, a grid-stride loop for the rounding.
#include "kernels/cuda/simt.h"
#include "kernels/cuda/tensor_core.h"
#include "kernels/cuda/tensor_core_probe.h"

namespace braincam::cuda {

namespace {

__global__ void tensor_core_product_kernel(float* __restrict__ D, const float* __restrict__ A,
                                           const float* __restrict__ B,
                                           const float* __restrict__ C) {
  const int lane = threadIdx.x;
  std::uint32_t a[4], b[2];
  float d[4];
  for (int i = 0; i < 4; ++i) {
    a[i] = tf32_round(A[mma_a_row(lane, i) * 8 + mma_a_column(lane, i)]);
    d[i] = C[mma_d_row(lane, i) * 8 + mma_d_column(lane, i)];
  }
  for (int i = 0; i < 2; ++i) b[i] = tf32_round(B[mma_b_row(lane, i) * 8 + mma_b_column(lane, i)]);
  mma_tf32_m16n8k8(d, a, b);
  for (int i = 0; i < 4; ++i) D[mma_d_row(lane, i) * 8 + mma_d_column(lane, i)] = d[i];
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
