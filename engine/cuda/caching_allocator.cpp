// Device memory for tensors, cached. cudaMalloc and cudaFree are slow and synchronize the
// device, so a released block goes to the free list of its size class and the next allocation
// of that class takes it back. All work runs on the engine's stream, in order, so a block freed
// while a kernel still reads it is only reused by later work on that stream. Size classes:
// multiples of 512 bytes up to 1 MiB, then eight per power of two (at most 1/8 more than asked).
// When cudaMalloc fails, the cache is returned to the device and the allocation tried once more.
#include <bit>
#include <cstdio>
#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/cuda/check.h"
#include "engine/cuda/runtime.h"
#include "engine/device_memory.h"

namespace braincam::gpu {

namespace {

constexpr std::size_t kSmallStep = 512, kSmallLimit = std::size_t{1} << 20;

std::size_t size_class(std::size_t bytes) {
  const std::size_t step = bytes <= kSmallLimit ? kSmallStep : std::bit_floor(bytes) / 8;
  return (bytes + step - 1) / step * step;
}

std::string mib(std::size_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", bytes / (1024.0 * 1024.0));
  return text;
}

struct Cache {
  std::mutex mutex;
  std::unordered_map<std::size_t, std::vector<void*>> free_blocks;  // by size class
  std::size_t in_use = 0;                                           // bytes in tensors

  void return_to_device() {
    for (auto& [size, blocks] : free_blocks)
      for (void* block : blocks) cudaFree(block);
    free_blocks.clear();
  }
};

// Never destroyed: tensors in static storage may release their memory after it would be.
Cache& cache() {
  static Cache* instance = new Cache;
  return *instance;
}

}  // namespace

void* allocate(std::size_t bytes) {
  require_gpu("allocate");
  const std::size_t size = size_class(bytes);
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  if (auto& blocks = c.free_blocks[size]; !blocks.empty()) {
    void* block = blocks.back();
    blocks.pop_back();
    c.in_use += size;
    return block;
  }
  void* block = nullptr;
  cudaError_t status = cudaMalloc(&block, size);
  // Returning the cache means cudaFree, which synchronizes the device: not while the engine's
  // stream records a graph (engine/device_graph.h).
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  if (status == cudaErrorMemoryAllocation &&
      cudaStreamIsCapturing(engine_stream(), &capture) == cudaSuccess &&
      capture == cudaStreamCaptureStatusNone) {
    cudaGetLastError();
    c.return_to_device();
    status = cudaMalloc(&block, size);
  }
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    std::size_t free = 0, total = 0;
    cudaMemGetInfo(&free, &total);
    throw std::runtime_error("out of GPU memory: cannot allocate " + mib(size) + " (" +
                             std::to_string(bytes) + " bytes asked); tensors hold " +
                             mib(c.in_use) + ", the device has " + mib(free) + " free of " +
                             mib(total) +
                             (capture == cudaStreamCaptureStatusNone
                                  ? ""
                                  : " (while recording a graph, which keeps the memory of the "
                                    "recorded work's tensors: --graph off needs less)"));
  }
  if (status != cudaSuccess)
    throw_call_error("cudaMalloc", status_error(status), __FILE__, __LINE__);
  c.in_use += size;
  return block;
}

void release(void* ptr, std::size_t bytes) {
  const std::size_t size = size_class(bytes);
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.free_blocks[size].push_back(ptr);
  c.in_use -= size;
}

}  // namespace braincam::gpu
