#include "engine/cuda/check.h"

#include <stdexcept>

namespace braincam::gpu {

void throw_call_error(const char* call, const std::string& error, const char* file, int line) {
  throw std::runtime_error(std::string(call) + " failed: " + error + " at " + file + ":" +
                           std::to_string(line));
}

}  // namespace braincam::gpu
