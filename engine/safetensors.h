#pragma once
// Reading and writing safetensors files: an 8-byte little-endian header length, a JSON header
// {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {string: string}},
// then the packed tensor bytes. The reader trusts nothing in the file: every length, offset and
// shape is checked before a byte is read, and a bad file is a SafetensorsError naming the file and
// the problem.
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#include "engine/parameters.h"

namespace braincam {

class SafetensorsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Safetensors {
  StateDict tensors;  // on the CPU, in the file's dtype (F32, F64, I32 or I64)
  std::map<std::string, std::string> metadata;
};

// `source` names the bytes in error messages (usually the file's path).
Safetensors parse_safetensors(const std::uint8_t* bytes, std::size_t size,
                              const std::string& source);
Safetensors read_safetensors(const std::string& path);

// Tensors are written in name order, from any device; the file appears atomically.
void write_safetensors(const std::string& path, const StateDict& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace braincam
