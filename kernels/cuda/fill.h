#pragma once
// Every element of a buffer set to one value, on a kernel set (cuda::Gpu or cuda::Emulated): the
// device side of Tensor::fill, which sets host tensors element by element. The value comes as the
// element's bytes (`element_bytes` of 1, 4 or 8, in the low bytes of `pattern`), so one kernel
// serves every dtype.
#include <cstdint>

#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

template <class Set>
void fill_elements(void* dst, std::uint64_t pattern, int element_bytes, long n, Stream stream);

}  // namespace braincam::cuda
