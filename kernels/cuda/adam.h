#pragma once
// Adam over many parameters in one update launch, on a kernel set (cuda::Gpu or cuda::Emulated):
// for each parameter exactly the update of kernels/cpu/adam.h (PyTorch's torch.optim.AdamW, Adam
// when the weight decay is 0), which stays the per-parameter ground truth.
#include <cmath>

#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

// One parameter of the step: device pointers to its values, moments and gradient, n elements,
// its bias corrections for its own step count, and the decay factor. The factor and the step size
// are per-step values, rewritten before each replay of a recorded step: a changed lr reaches both.
struct AdamTensor {
  float* param;
  float* m;
  float* v;
  const float* grad;
  long n;
  float step_size;         // lr / (1 - beta1^step)
  float correction2_sqrt;  // sqrt(1 - beta2^step)
  float decay;             // 1 - lr * weight_decay; exactly 1 without decay, and then not applied
};

// The descriptor of a parameter at step count `step` (1 on its first update); the bias
// corrections and the decay factor are computed in double and rounded to float, as
// cpu::adam_update does.
inline AdamTensor adam_tensor(float* param, float* m, float* v, const float* grad, long n,
                              double lr, double beta1, double beta2, double weight_decay,
                              long step) {
  return {param,
          m,
          v,
          grad,
          n,
          static_cast<float>(lr / (1 - std::pow(beta1, step))),
          static_cast<float>(std::sqrt(1 - std::pow(beta2, step))),
          static_cast<float>(1 - lr * weight_decay)};
}

// The descriptors reach the device as kernel arguments, never by a copy from host memory: such a
// copy can make the host wait for the work queued before it, and a CUDA graph cannot record it.

// Writes the host array tensors[0 .. count) to `table`, device memory for count descriptors.
template <class Set>
void adam_store_descriptors(AdamTensor* table, const AdamTensor* tensors, int count, Stream stream);

// Updates every parameter described by table[0 .. count) (device memory; count at most 65,535);
// largest: the largest n among them.
template <class Set>
void adam_update_table(const AdamTensor* table, int count, long largest, double beta1, double beta2,
                       double eps, Stream stream);

// Both: the host array tensors[0 .. count) stored in scratch memory, then the update.
template <class Set>
void adam_update_all(const AdamTensor* tensors, int count, double beta1, double beta2, double eps,
                     Stream stream);

}  // namespace braincam::cuda
