#pragma once
// Which kernels a float32 model runs for its first layer (convolution, batchnorm, ReLU, pooling)
// and for its attention and second pooling:
//   Fast       one fused op with batch statistics from the input patches and a sparse backward:
//              kernels/cpu_fast/ on the CPU, kernels/cuda/conv_bn_relu_pool.cu on the emulator
//              and the GPU; and, with attention on, one op for attention and pool2 that stores
//              neither intermediate (kernels/cuda/attention_pool.cu; the CPU runs the references)
//   Reference  one kernel per op: kernels/cpu/ (the ground truth) on the CPU, the plain CUDA
//              kernels elsewhere, which are the fused kernels' per-op baselines
#include <stdexcept>
#include <string>

namespace braincam {

enum class KernelPath { Fast, Reference };

inline KernelPath parse_kernel_path(const std::string& name) {
  if (name == "fast") return KernelPath::Fast;
  if (name == "reference") return KernelPath::Reference;
  throw std::invalid_argument("unknown kernel path '" + name + "' (fast or reference)");
}

inline const char* kernel_path_name(KernelPath p) {
  return p == KernelPath::Fast ? "fast" : "reference";
}

}  // namespace braincam
