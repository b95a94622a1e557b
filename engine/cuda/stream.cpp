// The engine's stream, and the copies and checks that go through it; the memory pool of the
// kernels' scratch buffers is set up with the stream.
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

#include "engine/cuda/check.h"
#include "engine/cuda/runtime.h"
#include "engine/device_memory.h"
#include "engine/gpu_runtime.h"
#include "engine/recording_hooks.h"

namespace braincam::gpu {

namespace {
// The kernels' scratch buffers come from the device's default memory pool (cudaMallocAsync). Its
// release threshold is 0 by default: the pool hands freed memory back to the system at every
// synchronization, and each step queued op by op would map it again. Keep it.
void keep_freed_memory_in_default_pool() {
  int device = 0;
  cudaMemPool_t pool = nullptr;
  std::uint64_t keep_all = std::numeric_limits<std::uint64_t>::max();
  BRAINCAM_CUDA_CHECK(cudaGetDevice(&device));
  BRAINCAM_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, device));
  BRAINCAM_CUDA_CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep_all));
}
}  // namespace

cudaStream_t engine_stream() {
  // Created once and never destroyed: destroying it at exit can run after the driver unloads.
  static const cudaStream_t stream = [] {
    require_gpu("CUDA stream");
    cudaStream_t s = nullptr;
    BRAINCAM_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    keep_freed_memory_in_default_pool();
    return s;
  }();
  return stream;
}

void* stream() { return engine_stream(); }

void check_launch(const char* op) {
  const cudaError_t status = cudaGetLastError();
  if (status != cudaSuccess)
    throw std::runtime_error(std::string(op) + ": kernel launch failed: " +
                             cudaGetErrorString(status) + " (" + cudaGetErrorName(status) + ")");
}

void copy_to_device(void* dst, const void* src, std::size_t bytes) {
  // From pageable host memory the call returns once src has been staged: src may then change.
  BRAINCAM_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, engine_stream()));
}

void copy_to_host(void* dst, const void* src, std::size_t bytes) {
  BRAINCAM_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, engine_stream()));
  BRAINCAM_CUDA_CHECK(cudaStreamSynchronize(engine_stream()));
}

void copy_on_device(void* dst, const void* src, std::size_t bytes) {
  BRAINCAM_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, engine_stream()));
}

void synchronize() {
  refuse_while_recording("synchronize");
  if (available()) BRAINCAM_CUDA_CHECK(cudaStreamSynchronize(engine_stream()));
}

namespace {
// The stream of QueuePoint's copies, beside the engine's (never destroyed, as that one).
cudaStream_t readback_stream() {
  static const cudaStream_t stream = [] {
    cudaStream_t s = nullptr;
    BRAINCAM_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    return s;
  }();
  return stream;
}
}  // namespace

QueuePoint::QueuePoint() {
  refuse_while_recording("QueuePoint");
  cudaEvent_t event = nullptr;
  BRAINCAM_CUDA_CHECK(cudaEventCreateWithFlags(&event, cudaEventDisableTiming));
  event_ =
      std::shared_ptr<void>(event, [](void* e) { cudaEventDestroy(static_cast<cudaEvent_t>(e)); });
  BRAINCAM_CUDA_CHECK(cudaEventRecord(event, engine_stream()));
}

void QueuePoint::copy_to_host(void* dst, const void* src, std::size_t bytes) const {
  const cudaStream_t side = readback_stream();
  BRAINCAM_CUDA_CHECK(cudaStreamWaitEvent(side, static_cast<cudaEvent_t>(event_.get()), 0));
  BRAINCAM_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, side));
  BRAINCAM_CUDA_CHECK(cudaStreamSynchronize(side));
}

}  // namespace braincam::gpu
