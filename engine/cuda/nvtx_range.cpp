// NVTX ranges (the header-only NVTX 3 of the CUDA toolkit): free when no profiler is attached.
#include <nvtx3/nvToolsExt.h>

#include "engine/gpu_runtime.h"

namespace braincam::gpu {

OpRange::OpRange(const char* op) { nvtxRangePushA(op); }

OpRange::~OpRange() { nvtxRangePop(); }

}  // namespace braincam::gpu
