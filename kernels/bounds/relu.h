#pragma once
// relu's bound: y = max(x, 0) and dx = dy where y > 0 are the reference's comparison and
// selection, so every kernel gives the reference's bits, in the kernel test and in gradcheck.
#include "kernels/bounds/rounding.h"

namespace braincam::bounds::relu {

inline constexpr Bound kBound = kBitwise;

}  // namespace braincam::bounds::relu
