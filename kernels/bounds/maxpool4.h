#pragma once
// maxpool4's bound: the window is scanned in row-major order with a strict `>`, so the first
// maximum wins as in the reference; values, winners and gradients (dy at the winner, zero
// elsewhere) are the reference's bits, in the kernel test (whose inputs hold ties) and in
// gradcheck.
#include "kernels/bounds/rounding.h"

namespace braincam::bounds::maxpool4 {

inline constexpr Bound kBound = kBitwise;

}  // namespace braincam::bounds::maxpool4
