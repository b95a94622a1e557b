#pragma once
// Device results read on the host later without holding the device up. A Readback is made right
// after the work that writes its tensors is queued; read() then waits for that work alone, not
// for what was queued since. So a training loop can queue step b + 1 before it reads step b's
// loss, and the GPU need not wait for the host between steps. On the CPU and the emulator the
// work is done when it is queued, and read() is a plain copy.
#include <optional>
#include <vector>

#include "engine/device_memory.h"
#include "engine/tensor.h"

namespace braincam {

class Readback {
 public:
  explicit Readback(std::vector<Tensor> tensors);
  // The tensors' values on the host, in order. Work queued after the Readback must not write
  // them.
  std::vector<Tensor> read() const;

 private:
  std::vector<Tensor> tensors_;
  std::optional<gpu::QueuePoint> point_;  // where the queue stood, when a tensor is on the GPU
};

}  // namespace braincam
