#pragma once
// Storage: the memory behind tensors, a block of bytes on one device.
#include <cstddef>

#include "engine/dtype.h"

namespace braincam {

// A block of bytes on one device, freed by the allocator that made it.
class Storage {
 public:
  Storage(std::size_t bytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  Device device() const { return device_; }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  Device device_;
};

}  // namespace braincam
