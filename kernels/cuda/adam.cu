// Multi-tensor Adam: one launch updates every parameter. The launcher copies the descriptors
// (pointers, sizes and each parameter's bias corrections) to a device array; block row y of the
// grid takes parameter y in a grid-stride loop over its elements, so blocks beyond a small
// parameter's size exit at once. Each element is read and written once: 16 bytes read (p, m, v,
// g) and 12 written (p, m, v) per element.
#include "kernels/cuda/adam.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kThreads = 256;
constexpr int kMaxTensors = 65535;  // the grid's y dimension

// The float operations of cpu::adam_update, in its order.
__global__ void adam_kernel(const AdamTensor* __restrict__ tensors, float b1, float b2, float e,
                            float one_minus_b1, float one_minus_b2) {
  const AdamTensor t = tensors[blockIdx.y];
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < t.n;
       i += static_cast<long>(gridDim.x) * blockDim.x) {
    const float g = t.grad[i];
    const float m = t.m[i] * b1 + one_minus_b1 * g;
    const float v = t.v[i] * b2 + one_minus_b2 * g * g;
    t.m[i] = m;
    t.v[i] = v;
    t.param[i] -= t.step_size * (m / (sqrtf(v) / t.correction2_sqrt + e));
  }
}

}  // namespace

template <>
void adam_update_all<KernelSet>(const AdamTensor* tensors, int count, double beta1, double beta2,
                                double eps, Stream stream) {
  if (count == 0) return;
  if (count < 0 || count > kMaxTensors)
    throw std::invalid_argument("adam_update_all: " + std::to_string(count) +
                                " parameters, expected 0 to " + std::to_string(kMaxTensors));
  long largest = 1;
  for (int i = 0; i < count; ++i) largest = std::max(largest, tensors[i].n);
  Scratch<AdamTensor> on_device(count, stream);
  upload(on_device.data(), tensors, count, stream);
  launch(adam_kernel, dim3(elementwise_grid(largest, kThreads), static_cast<unsigned>(count)),
         kThreads, 0, stream, on_device.data(), static_cast<float>(beta1),
         static_cast<float>(beta2), static_cast<float>(eps), static_cast<float>(1 - beta1),
         static_cast<float>(1 - beta2));
}

}  // namespace braincam::cuda
