#pragma once
// The few whole-tensor operations the engine itself needs (gradient accumulation, the
// optimizer's bookkeeping), on any device.
#include "engine/tensor.h"

namespace braincam {

// dst += src (same shape, dtype and device).
void add_inplace(Tensor& dst, const Tensor& src);

}  // namespace braincam
