#pragma once
// dst += src on a kernel set (cuda::Gpu or cuda::Emulated); the maths of kernels/cpu/add_inplace.h.
#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

template <class Set>
void add_inplace(float* dst, const float* src, long n, Stream stream);

}  // namespace braincam::cuda
