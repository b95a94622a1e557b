#pragma once
// The model input of a batch gathered from stored uint8 images, on a kernel set (cuda::Gpu or
// cuda::Emulated); the maths of kernels/cpu/gather_images.h. `index` is in device memory.
#include <cstdint>

#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

template <class Set>
void gather_images(float* out, const std::uint8_t* images, const std::int32_t* index, int N, int C,
                   int H, int W, Stream stream);

}  // namespace braincam::cuda
