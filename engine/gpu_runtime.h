#pragma once
// What the engine wraps around each GPU op (engine/dispatch.h): the stream its kernels run on,
// an NVTX range naming the op for Nsight, and the check that its launches succeeded.
// Implemented by engine/cuda/ when the CUDA backend is built, and by engine/no_cuda.cpp
// otherwise (where nothing runs on a GPU: the range does nothing and stream() throws).
namespace braincam::gpu {

// The engine's CUDA stream (a cudaStream_t): every kernel and copy of the engine runs on it, in
// order, so memory freed to the cache can be reused by the next op without a synchronization.
void* stream();

// Throws std::runtime_error naming `op` when a kernel launch since the last check failed.
void check_launch(const char* op);

// Stream capture of the engine's stream into a CUDA graph, for engine/device_graph.h. Between
// begin_capture and end_capture the work queued on the stream is recorded, not run; allocations
// made meanwhile (cudaMalloc of the caching allocator) are made at once and not recorded, which
// is what the graph needs, since its tensors stay allocated while it lives. end_capture returns
// the instantiated graph (a cudaGraphExec_t) for launch_graph, freed by destroy_graph;
// abandon_capture ends a capture that failed, discarding what it recorded.
void begin_capture();
void* end_capture();
void abandon_capture();
void launch_graph(void* graph);
void destroy_graph(void* graph);

// An NVTX range around an op, shown by Nsight Systems on the timeline.
class OpRange {
 public:
  explicit OpRange(const char* op);
  ~OpRange();
  OpRange(const OpRange&) = delete;
  OpRange& operator=(const OpRange&) = delete;
};

}  // namespace braincam::gpu
