// Stream capture into CUDA graphs (engine/gpu_runtime.h).
#include "engine/cuda/check.h"
#include "engine/cuda/runtime.h"
#include "engine/gpu_runtime.h"

namespace braincam::gpu {

void begin_capture() {
  // Relaxed: the caching allocator's cudaMalloc, which the stricter modes refuse during a capture,
  // is wanted here (see gpu_runtime.h).
  BRAINCAM_CUDA_CHECK(cudaStreamBeginCapture(engine_stream(), cudaStreamCaptureModeRelaxed));
}

void* end_capture() {
  cudaGraph_t graph = nullptr;
  BRAINCAM_CUDA_CHECK(cudaStreamEndCapture(engine_stream(), &graph));
  cudaGraphExec_t exec = nullptr;
  const cudaError_t status = cudaGraphInstantiate(&exec, graph, 0);
  cudaGraphDestroy(graph);  // the executable graph is independent of it
  BRAINCAM_CUDA_CHECK(status);
  return exec;
}

void abandon_capture() {
  cudaGraph_t graph = nullptr;
  if (cudaStreamEndCapture(engine_stream(), &graph) == cudaSuccess && graph)
    cudaGraphDestroy(graph);
  cudaGetLastError();  // the failure that made the caller abandon is reported by its exception
}

void launch_graph(void* graph) {
  BRAINCAM_CUDA_CHECK(cudaGraphLaunch(static_cast<cudaGraphExec_t>(graph), engine_stream()));
}

void destroy_graph(void* graph) {
  // Replays may still be queued: the memory they use is released right after this.
  cudaStreamSynchronize(engine_stream());
  cudaGraphExecDestroy(static_cast<cudaGraphExec_t>(graph));
}

}  // namespace braincam::gpu
