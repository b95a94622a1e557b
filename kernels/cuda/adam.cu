// Multi-tensor Adam: one launch updates every parameter. The descriptors (pointers, sizes and
// each parameter's bias corrections and decay factor) are in a device array, written by
// adam_store_kernel from its arguments; block row y of the update's grid takes parameter y in a
// grid-stride loop over its elements, so blocks beyond a small parameter's size exit at once. Each
// element is read and written once: 16 bytes read (p, m, v, g) and 12 written (p, m, v) per
// element.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/cuda/adam.h"
#include "kernels/cuda/simt.h"

namespace braincam::cuda {

namespace {

constexpr int kThreads = 256;
constexpr int kMaxTensors = 65535;  // the grid's y dimension

// Descriptors passed by value to one store launch: 16 of 56 bytes, well within the 4 KB of a
// kernel's parameters.
constexpr int kStoreBatch = 16;
struct DescriptorBatch {
  AdamTensor tensor[kStoreBatch];
};

__global__ void adam_store_kernel(AdamTensor* __restrict__ table, DescriptorBatch batch,
                                  int count) {
  if (static_cast<int>(threadIdx.x) < count) table[threadIdx.x] = batch.tensor[threadIdx.x];
}

// The float operations of cpu::adam_update, in its order. The decay's product is rounded on its
// own (__fmul_rn is never contracted into a fused multiply-add), as the reference's separate pass
// and PyTorch's param.mul_; without decay it is skipped and the update is the plain Adam one.
__global__ void adam_kernel(const AdamTensor* __restrict__ tensors, float b1, float b2, float e,
                            float one_minus_b1, float one_minus_b2) {
  const AdamTensor t = tensors[blockIdx.y];
  for (long i = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; i < t.n;
       i += static_cast<long>(gridDim.x) * blockDim.x) {
    float p = t.param[i];
    if (t.decay != 1.0f) p = __fmul_rn(p, t.decay);
    const float g = t.grad[i];
    const float m = t.m[i] * b1 + one_minus_b1 * g;
    const float v = t.v[i] * b2 + one_minus_b2 * g * g;
    t.m[i] = m;
    t.v[i] = v;
    t.param[i] = p - t.step_size * (m / (sqrtf(v) / t.correction2_sqrt + e));
  }
}

void check_count(const char* op, int count) {
  if (count < 0 || count > kMaxTensors)
    throw std::invalid_argument(std::string(op) + ": " + std::to_string(count) +
                                " parameters, expected 0 to " + std::to_string(kMaxTensors));
}

}  // namespace

template <>
void adam_store_descriptors<KernelSet>(AdamTensor* table, const AdamTensor* tensors, int count,
                                       Stream stream) {
  check_count("adam_store_descriptors", count);
  for (int first = 0; first < count; first += kStoreBatch) {
    const int n = std::min(kStoreBatch, count - first);
    DescriptorBatch batch{};
    std::copy(tensors + first, tensors + first + n, batch.tensor);
    launch(adam_store_kernel, 1, kStoreBatch, 0, stream, table + first, batch, n);
  }
}

template <>
void adam_update_table<KernelSet>(const AdamTensor* table, int count, long largest, double beta1,
                                  double beta2, double eps, Stream stream) {
  check_count("adam_update_table", count);
  if (count == 0) return;
  launch(adam_kernel,
         dim3(elementwise_grid(std::max(largest, 1L), kThreads), static_cast<unsigned>(count)),
         kThreads, 0, stream, table, static_cast<float>(beta1), static_cast<float>(beta2),
         static_cast<float>(eps), static_cast<float>(1 - beta1), static_cast<float>(1 - beta2));
}

template <>
void adam_update_all<KernelSet>(const AdamTensor* tensors, int count, double beta1, double beta2,
                                double eps, Stream stream) {
  check_count("adam_update_all", count);
  if (count == 0) return;
  long largest = 1;
  for (int i = 0; i < count; ++i) largest = std::max(largest, tensors[i].n);
  Scratch<AdamTensor> table(count, stream);
  adam_store_descriptors<KernelSet>(table.data(), tensors, count, stream);
  adam_update_table<KernelSet>(table.data(), count, largest, beta1, beta2, eps, stream);
}

}  // namespace braincam::cuda
