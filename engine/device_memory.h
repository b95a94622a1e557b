#pragma once
// The GPU memory interface the Tensor storage uses. Implemented by engine/cuda/ when the CUDA
// backend is built, and by engine/no_cuda.cpp otherwise (where every call but available() throws).
#include <cstddef>
#include <memory>
#include <string>

namespace braincam::gpu {

// True when the CUDA backend is built and a GPU can be used. Never throws: a machine without a
// driver or device answers false.
bool available();
// Why available() is false, in words ("built without CUDA", "no CUDA driver: ...").
std::string unavailable_reason();

void* allocate(std::size_t bytes);  // throws std::runtime_error when out of device memory
void release(void* ptr, std::size_t bytes);
void copy_to_device(void* dst, const void* src, std::size_t bytes);
void copy_to_host(void* dst, const void* src, std::size_t bytes);
void copy_on_device(void* dst, const void* src, std::size_t bytes);
void synchronize();

// A point in the engine stream's queue: the work queued before it was made (an event).
class QueuePoint {
 public:
  QueuePoint();
  // Copies device memory to the host once the work queued before this point is done, without
  // waiting for the work queued after it (the copy runs on a side stream); returns when the copy
  // is complete.
  void copy_to_host(void* dst, const void* src, std::size_t bytes) const;

 private:
  std::shared_ptr<void> event_;
};

}  // namespace braincam::gpu
