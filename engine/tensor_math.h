#pragma once
// The few whole-tensor operations the engine itself needs (gradient accumulation, the
// optimizer's bookkeeping), on any device.
#include <cstdint>
#include <string>

#include "engine/tensor.h"

namespace braincam {

// dst += src (same shape, dtype and device).
void add_inplace(Tensor& dst, const Tensor& src);

// The position of the first NaN or infinity of `t` (any dtype and device), or -1 when every
// value is finite. Read on the host: for loading and checking, not for every step.
std::int64_t first_non_finite(const Tensor& t);

// Throws std::runtime_error "<source>: tensor '<name>' holds <value> at element <i> ..." when
// `t` has a NaN or infinity (checkpoints with such weights only give NaN probabilities).
void require_finite(const Tensor& t, const std::string& source, const std::string& name);

}  // namespace braincam
