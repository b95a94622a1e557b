#pragma once
// Picks the kernel for an op from the device and dtype of its tensors.
//
//   run_kernel(like, "relu",
//       [&]<class T>() { cpu::relu_forward<T>(y.data<T>(), x.data<T>(), n); },
//       [&]<class Set>(cuda::Stream stream) {
//         cuda::relu_forward<Set>(y.data<float>(), x.data<float>(), n, stream);
//       });
//
// CPU: the first lambda runs with T = float or double, matching `like`.
// Emulator and CUDA: the second runs with the kernel set of the device (cuda::Emulated or
// cuda::Gpu, see kernels/cuda/kernel_set.h) and the stream to launch on; float32 only. On CUDA
// the op gets an NVTX range and its launches are checked. An op without GPU kernels yet passes
// only the CPU lambda, and refuses the other devices.
#include <initializer_list>
#include <stdexcept>
#include <string>

#include "engine/gpu_runtime.h"
#include "engine/tensor.h"
#include "kernels/cuda/kernel_set.h"

namespace braincam {

template <class Cpu>
void run_kernel(const Tensor& like, const char* op, Cpu&& cpu) {
  if (like.device() != Device::CPU)
    throw std::runtime_error(std::string(op) + ": no kernel for device " +
                             device_name(like.device()));
  dispatch_float(like.dtype(), cpu);
}

// The GPU half of run_kernel, for ops whose CPU side is not one kernel call: runs on_gpu on the
// emulator or the GPU, and refuses CPU tensors.
template <class Gpu>
void run_device_kernel(const Tensor& like, const char* op, Gpu&& on_gpu) {
  if (like.dtype() != DType::F32)
    throw std::invalid_argument(std::string(op) + ": the " + device_name(like.device()) +
                                " kernels take F32 tensors, got " + dtype_name(like.dtype()));
  if (like.device() == Device::CPU)
    throw std::logic_error(std::string(op) + ": CPU tensors go to the CPU kernels");
  if (like.device() == Device::Emulator) {
    on_gpu.template operator()<cuda::Emulated>(cuda::Stream{});
    return;
  }
#if BRAINCAM_HAVE_CUDA
  gpu::OpRange range(op);
  on_gpu.template operator()<cuda::Gpu>(gpu::stream());
  gpu::check_launch(op);
#else
  throw std::runtime_error(std::string(op) + ": braincam was built without the CUDA backend");
#endif
}

template <class Cpu, class Gpu>
void run_kernel(const Tensor& like, const char* op, Cpu&& on_cpu, Gpu&& on_gpu) {
  if (like.device() == Device::CPU)
    dispatch_float(like.dtype(), on_cpu);
  else
    run_device_kernel(like, op, on_gpu);
}

// Throws unless every tensor is defined and has the dtype and device of the first.
void check_same_kind(const char* op, std::initializer_list<const Tensor*> tensors);

}  // namespace braincam
