// The GPU memory interface of a build without the CUDA backend.
#include <stdexcept>

#include "engine/device_memory.h"

namespace braincam::gpu {

namespace {
[[noreturn]] void fail() { throw std::runtime_error("braincam was built without the CUDA backend"); }
}  // namespace

bool available() { return false; }
std::string unavailable_reason() { return "built without the CUDA backend"; }
void* allocate(std::size_t) { fail(); }
void release(void*, std::size_t) {}
void copy_to_device(void*, const void*, std::size_t) { fail(); }
void copy_to_host(void*, const void*, std::size_t) { fail(); }
void copy_on_device(void*, const void*, std::size_t) { fail(); }
void synchronize() {}

}  // namespace braincam::gpu
