#include "engine/readback.h"

#include <algorithm>

#include "engine/recording_hooks.h"

namespace braincam {

Readback::Readback(std::vector<Tensor> tensors) : tensors_(std::move(tensors)) {
  refuse_while_recording("Readback");
  if (std::any_of(tensors_.begin(), tensors_.end(),
                  [](const Tensor& t) { return t.device() == Device::CUDA; }))
    point_.emplace();
}

std::vector<Tensor> Readback::read() const {
  std::vector<Tensor> host;
  for (const Tensor& t : tensors_) {
    if (t.device() != Device::CUDA) {
      host.push_back(t.to(Device::CPU));
      continue;
    }
    Tensor copy(t.shape(), t.dtype());
    point_->copy_to_host(copy.raw(), t.raw(), t.bytes());
    host.push_back(copy);
  }
  return host;
}

}  // namespace braincam
