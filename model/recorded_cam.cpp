#include "model/recorded_cam.h"

#include <stdexcept>
#include <string>

#include "engine/autograd.h"
#include "engine/ops.h"

namespace braincam {

RecordedCam::RecordedCam(BrainDetectionModel& model, const Shape& images_shape, bool attention)
    : model_(model), shape_(images_shape), attention_(attention) {
  const Device device = model.device();
  if (device == Device::CPU) return;
  input_ = Tensor::zeros(images_shape, model.dtype(), device);
  graph_.emplace(device, [&] {
    NoGradScope no_grad;
    const ForwardResult r = model_.forward(Var(input_), {.attention = attention_});
    maps_ = cam_reduce(r.P.value(), model_.fc_weight());
    logits_ = r.logits.value();
  });
}

Explanation RecordedCam::explain(const Tensor& images, bool explain_tumor) {
  // On the emulator a batch on the CPU would pass for device memory: both are host memory.
  if (images.shape() != shape_ || images.dtype() != model_.dtype() ||
      images.device() != model_.device())
    throw std::invalid_argument("RecordedCam::explain: images " + shape_str(images.shape()) + " " +
                                dtype_name(images.dtype()) + " on " + device_name(images.device()) +
                                ", recorded for " + shape_str(shape_) + " " +
                                dtype_name(model_.dtype()) + " on " + device_name(model_.device()));
  if (!graph_) return braincam::explain(model_, images, CamMethod::Cam, attention_, explain_tumor);
  input_.copy_from(images);
  graph_->replay();
  return cam_explanation(maps_, logits_, explain_tumor);
}

}  // namespace braincam
