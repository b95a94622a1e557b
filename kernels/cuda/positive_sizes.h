#pragma once
// The launchers' check of their sizes: a zero-sized grid is a launch error, and a negative size
// a bug of the caller.
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <utility>

namespace braincam::cuda {

// Throws std::invalid_argument naming op and every size ("N=0 C=3") unless all are at least 1.
inline void require_positive_sizes(const char* op,
                                   std::initializer_list<std::pair<const char*, long>> sizes) {
  bool positive = true;
  std::string listed;
  for (const auto& [name, value] : sizes) {
    positive = positive && value >= 1;
    listed += std::string(listed.empty() ? "" : " ") + name + "=" + std::to_string(value);
  }
  if (!positive)
    throw std::invalid_argument(std::string(op) + ": sizes must be positive, got " + listed);
}

}  // namespace braincam::cuda
