#pragma once
// tensor_core.h's primitives on a kernel set (cuda::Gpu or cuda::Emulated), for the tests: on a
// GPU the fragment places and the rounding are the hardware's, which the emulator copies from the
// PTX ISA, so a test of these two launchers on both tells a layout error apart from an error in
// a kernel that uses them.
#include "kernels/cuda/kernel_set.h"

namespace braincam::cuda {

// D = C + A B by one warp's mma_tf32_m16n8k8, each lane loading and storing its fragments at
// the places tensor_core.h documents. Row-major A: 16 x 8, B: 8 x 8, C and D: 16 x 8; A and B
// are rounded to TF32 first.
template <class Set>
void tensor_core_product(float* D, const float* A, const float* B, const float* C, Stream stream);

// rounded[i] = x[i] rounded to TF32 by tf32_round, read as a float.
template <class Set>
void tf32_round_values(float* rounded, const float* x, long n, Stream stream);

}  // namespace braincam::cuda
