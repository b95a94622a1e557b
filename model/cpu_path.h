#pragma once
// Which kernels a float32 model on the CPU runs: the fused fast path (kernels/cpu_fast/) or the
// reference kernels (kernels/cpu/), which stay the ground truth.
#include <stdexcept>
#include <string>

namespace braincam {

enum class CpuPath { Fast, Reference };

inline CpuPath parse_cpu_path(const std::string& name) {
  if (name == "fast") return CpuPath::Fast;
  if (name == "reference") return CpuPath::Reference;
  throw std::invalid_argument("unknown CPU path '" + name + "' (fast or reference)");
}

inline const char* cpu_path_name(CpuPath p) { return p == CpuPath::Fast ? "fast" : "reference"; }

}  // namespace braincam
