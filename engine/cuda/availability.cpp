// Whether a GPU can be used. A machine without a driver or a device answers no, with the reason:
// cudaGetDeviceCount then fails ("CUDA driver version is insufficient for CUDA runtime version")
// or counts none.
#include <stdexcept>
#include <string>

#include "engine/cuda/runtime.h"
#include "engine/device_memory.h"

namespace braincam::gpu {

namespace {

struct Availability {
  bool available = false;
  std::string reason;
};

const Availability& availability() {
  static const Availability answer = [] {
    int devices = 0;
    const cudaError_t status = cudaGetDeviceCount(&devices);
    if (status != cudaSuccess) {
      cudaGetLastError();  // not an error of the next launch
      return Availability{
          false, std::string("no usable CUDA driver or device: ") + cudaGetErrorString(status)};
    }
    if (devices == 0) return Availability{false, "no CUDA device"};
    return Availability{true, ""};
  }();
  return answer;
}

}  // namespace

bool available() { return availability().available; }

std::string unavailable_reason() { return availability().reason; }

void require_gpu(const char* what) {
  if (!available())
    throw std::runtime_error(std::string(what) + ": no GPU: " + unavailable_reason());
}

}  // namespace braincam::gpu
