#pragma once
// Shared by the files of engine/cuda/: the availability check and the engine's stream.
#include <cuda_runtime.h>

namespace braincam::gpu {

// Throws std::runtime_error ("<what>: no GPU: <reason>") unless available().
void require_gpu(const char* what);

// The engine's stream, created on first use (requires a GPU).
cudaStream_t engine_stream();

}  // namespace braincam::gpu
