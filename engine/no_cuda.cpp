// The GPU interfaces of a build without the CUDA backend.
#include <stdexcept>

#include "engine/device_memory.h"
#include "engine/gpu_runtime.h"

namespace braincam::gpu {

namespace {
[[noreturn]] void fail() {
  throw std::runtime_error("braincam was built without the CUDA backend");
}
}  // namespace

bool available() { return false; }
std::string unavailable_reason() { return "built without the CUDA backend"; }
void* allocate(std::size_t) { fail(); }
void release(void*, std::size_t) {}
void copy_to_device(void*, const void*, std::size_t) { fail(); }
void copy_to_host(void*, const void*, std::size_t) { fail(); }
void copy_on_device(void*, const void*, std::size_t) { fail(); }
void synchronize() {}
QueuePoint::QueuePoint() { fail(); }
void QueuePoint::copy_to_host(void*, const void*, std::size_t) const { fail(); }

void* stream() { fail(); }
void begin_capture() { fail(); }
void* end_capture() { fail(); }
void abandon_capture() {}
void launch_graph(void*) { fail(); }
void destroy_graph(void*) {}
void check_launch(const char*) {}
OpRange::OpRange(const char*) {}
OpRange::~OpRange() {}

}  // namespace braincam::gpu
