#pragma once
// gather_images's bound: pixel / 255 in IEEE float division on both sides (nvcc's default), so
// the batch is the reference's bits.
#include "kernels/bounds/rounding.h"

namespace braincam::bounds::gather_images {

inline constexpr Bound kBound = kBitwise;

}  // namespace braincam::bounds::gather_images
