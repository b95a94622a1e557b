#pragma once
// The CAM ops' bounds.
//
// cam_reduce: a float sum of the C channels' w·P per cell, in channel order: chain C on Σ|terms|
// of the cell, in the kernel test and in gradcheck alike.
//
// cam_guidance, softmax(cam_reduce(maxpool4(F))), has different numbers in each:
//  - kernel test, per element relative to s: the pooling is exact; each cam value is within
//    δ = C·u·max Σ|w·max| of the exact one, which moves every softmax output by at most 2δ
//    relatively; the rounding of exp's argument cam − max (at most 2·max Σ|w·max|), exp itself,
//    the block sum of the cells and the division add their u's; doubled.
//  - gradcheck, on the tensor's largest value: the C products of a cell and the cells' sum in one
//    chain (C + cells + 4), times 2 for exp.
#include "kernels/bounds/rounding.h"

namespace braincam::bounds::cam {

inline double reduce_chain(int C) { return C; }
inline Bound reduce(int C) { return {ErrorScale::SumOfMagnitudes, reduce_chain(C)}; }

// Kernel test: the relative error of an image's softmax outputs, whose largest cam value on the
// magnitudes is `largest`, over `cells` cells (the sum's share: cells / 256 + 1, 5 shuffle steps,
// 8 warps).
inline double guidance_relative_error(int C, int cells, double largest) {
  const double delta = C * kUnitRoundoff * largest;
  return 2 * delta + (2 * largest + 2 + cells / 256 + 1 + 5 + 8 + 1) * kUnitRoundoff;
}
inline double guidance_tolerance(double relative_error, double s) { return 2 * relative_error * s; }

// gradcheck.
inline Bound guidance(int C, int cells) { return {ErrorScale::TensorMax, C + cells + 4.0, 2}; }

}  // namespace braincam::bounds::cam
