// The fully connected layer. At the model's shapes (7200 -> 1) it is a matrix-vector product per
// image, a reduction over In:
//
// linear_forward_kernel: one block per output (image n, output o); each thread sums w * x over a
//   strided share of In (coalesced), then the deterministic block sum, plus the bias.
// linear_weight_gradient_kernel: one thread per weight (o, i) adds dy[n, o] * x[n, i] over the
//   images in order, and one per bias adds dy[n, o]: the reference's order, no atomics.
// linear_input_gradient_kernel: one thread per input (n, i) adds dy[n, o] * w[o, i] over the
//   outputs in order.
#include "kernels/cuda/block_reduce.h"
#include "kernels/cuda/linear.h"
#include "kernels/cuda/positive_sizes.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kThreads = 256;

__global__ void linear_forward_kernel(float* __restrict__ y, const float* __restrict__ x,
                                      const float* __restrict__ w, const float* __restrict__ b,
                                      int In, int Out) {
  const long n = blockIdx.x / Out;
  const int o = blockIdx.x % Out;
  const float* xn = x + n * In;
  const float* wo = w + static_cast<long>(o) * In;
  float acc = 0.0f;
  for (int i = threadIdx.x; i < In; i += kThreads) acc += wo[i] * xn[i];
  acc = block_sum<kThreads>(acc);
  if (threadIdx.x == 0) y[blockIdx.x] = acc + b[o];
}

// Outputs 0 .. Out*In - 1 are dw, Out*In .. Out*In + Out - 1 are db.
__global__ void linear_weight_gradient_kernel(float* __restrict__ dw, float* __restrict__ db,
                                              const float* __restrict__ dy,
                                              const float* __restrict__ x, int N, int In, int Out) {
  const long weights = static_cast<long>(Out) * In;
  for (long e = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; e < weights + Out;
       e += static_cast<long>(gridDim.x) * blockDim.x) {
    float acc = 0.0f;
    if (e < weights) {
      const long o = e / In, i = e % In;
      for (int n = 0; n < N; ++n) acc += dy[n * Out + o] * x[n * static_cast<long>(In) + i];
      dw[e] = acc;
    } else {
      for (int n = 0; n < N; ++n) acc += dy[n * Out + (e - weights)];
      db[e - weights] = acc;
    }
  }
}

__global__ void linear_input_gradient_kernel(float* __restrict__ dx, const float* __restrict__ dy,
                                             const float* __restrict__ w, int N, int In, int Out) {
  const long inputs = static_cast<long>(N) * In;
  for (long e = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; e < inputs;
       e += static_cast<long>(gridDim.x) * blockDim.x) {
    const long n = e / In, i = e % In;
    float acc = 0.0f;
    for (int o = 0; o < Out; ++o) acc += dy[n * Out + o] * w[o * static_cast<long>(In) + i];
    dx[e] = acc;
  }
}

}  // namespace

template <>
void linear_forward<KernelSet>(float* y, const float* x, const float* w, const float* b, int N,
                               int In, int Out, Stream stream) {
  require_positive_sizes("linear_forward", {{"N", N}, {"In", In}, {"Out", Out}});
  launch(linear_forward_kernel, static_cast<unsigned>(N) * static_cast<unsigned>(Out), kThreads, 0,
         stream, y, x, w, b, In, Out);
}

template <>
void linear_backward<KernelSet>(float* dx, float* dw, float* db, const float* dy, const float* x,
                                const float* w, int N, int In, int Out, Stream stream) {
  require_positive_sizes("linear_backward", {{"N", N}, {"In", In}, {"Out", Out}});
  const long weights = static_cast<long>(Out) * In;
  launch(linear_weight_gradient_kernel, elementwise_grid(weights + Out, kThreads), kThreads, 0,
         stream, dw, db, dy, x, N, In, Out);
  if (dx)
    launch(linear_input_gradient_kernel, elementwise_grid(static_cast<long>(N) * In, kThreads),
           kThreads, 0, stream, dx, dy, w, N, In, Out);
}

}  // namespace braincam::cuda
