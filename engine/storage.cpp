#include "engine/storage.h"

#include <cstdlib>
#include <new>

#include "engine/device_memory.h"

namespace braincam {

Storage::Storage(std::size_t bytes, Device device) : bytes_(bytes), device_(device) {
  if (bytes == 0) return;
  if (device == Device::CUDA) {
    data_ = gpu::allocate(bytes);
  } else {
    // 64-byte alignment: whole cache lines, and any SIMD width.
    data_ = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
    if (!data_) throw std::bad_alloc();
  }
}

Storage::~Storage() {
  if (!data_) return;
  if (device_ == Device::CUDA)
    gpu::release(data_, bytes_);
  else
    std::free(data_);
}

}  // namespace braincam
