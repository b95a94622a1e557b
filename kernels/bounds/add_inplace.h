#pragma once
// add_inplace's bound (dst += src, gradient accumulation): one float addition per element, as the
// reference: bitwise.
#include "kernels/bounds/rounding.h"

namespace braincam::bounds::add_inplace {

inline constexpr Bound kBound = kBitwise;

}  // namespace braincam::bounds::add_inplace
