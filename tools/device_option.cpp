#include "tools/device_option.h"

#include <stdexcept>

#include "engine/device_memory.h"

namespace braincam::tools {

Device resolve_device(const std::string& name) {
  if (name == "auto") return gpu::available() ? Device::CUDA : Device::CPU;
  const Device d = parse_device(name);
  if (d == Device::CUDA && !gpu::available())
    throw std::runtime_error("--device cuda: no usable GPU (" + gpu::unavailable_reason() + ")");
  return d;
}

}  // namespace braincam::tools
