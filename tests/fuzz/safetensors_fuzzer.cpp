// libFuzzer target: the safetensors reader must reject any malformed input with a
// SafetensorsError and never read out of bounds (run under AddressSanitizer).
#include <cstddef>
#include <cstdint>

#include "engine/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    braincam::parse_safetensors(data, size, "fuzz input");
  } catch (const braincam::SafetensorsError&) {
  }
  return 0;
}
