#pragma once
// Adam over many parameters in one launch, on a kernel set (cuda::Gpu or cuda::Emulated): for each
// parameter exactly the update of kernels/cpu/adam.h (PyTorch's torch.optim.Adam without weight
// decay), which stays the per-parameter ground truth.
#include <cmath>

#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

// One parameter of the step: device pointers to its values, moments and gradient, n elements,
// and its bias corrections for its own step count.
struct AdamTensor {
  float* param;
  float* m;
  float* v;
  const float* grad;
  long n;
  float step_size;         // lr / (1 - beta1^step)
  float correction2_sqrt;  // sqrt(1 - beta2^step)
};

// The descriptor of a parameter at step count `step` (1 on its first update); the bias
// corrections are computed in double and rounded to float, as cpu::adam_update does.
inline AdamTensor adam_tensor(float* param, float* m, float* v, const float* grad, long n,
                              double lr, double beta1, double beta2, long step) {
  return {param,
          m,
          v,
          grad,
          n,
          static_cast<float>(lr / (1 - std::pow(beta1, step))),
          static_cast<float>(std::sqrt(1 - std::pow(beta2, step)))};
}

// Updates every parameter of tensors[0 .. count) (a host array; count at most 65,535).
template <class Set>
void adam_update_all(const AdamTensor* tensors, int count, double beta1, double beta2, double eps,
                     Stream stream);

}  // namespace braincam::cuda
