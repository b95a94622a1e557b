#pragma once
// Picks the kernel for an op from the device and dtype of its tensors.
//
//   run_kernel(like, "conv5x5", [&]<class T>() { cpu::conv5x5_forward<T>(...); });
//
// On the CPU the lambda runs with T = float or double, matching `like`.
#include <initializer_list>
#include <stdexcept>
#include <string>

#include "engine/tensor.h"

namespace braincam {

template <class Cpu>
void run_kernel(const Tensor& like, const char* op, Cpu&& cpu) {
  if (like.device() != Device::CPU)
    throw std::runtime_error(std::string(op) + ": no kernel for device " + device_name(like.device()));
  dispatch_float(like.dtype(), cpu);
}

// Throws unless every tensor is defined and has the dtype and device of the first.
void check_same_kind(const char* op, std::initializer_list<const Tensor*> tensors);

}  // namespace braincam
