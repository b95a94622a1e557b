#include "model/recorded_cam.h"

#include <stdexcept>

#include "engine/autograd.h"
#include "engine/ops.h"

namespace braincam {

RecordedCam::RecordedCam(BrainDetectionModel& model, const Shape& images_shape, bool attention)
    : model_(model), attention_(attention) {
  const Device device = model.device();
  if (device == Device::CPU) return;
  input_ = Tensor::zeros(images_shape, model.dtype(), device);
  graph_.emplace(device, [&] {
    NoGradScope no_grad;
    const ForwardResult r = model_.forward(Var(input_), attention_, /*training=*/false);
    maps_ = cam_reduce(r.P.value(), model_.fc_weight());
    logits_ = r.logits.value();
  });
}

Explanation RecordedCam::explain(const Tensor& images, bool explain_tumor) {
  if (!graph_) return braincam::explain(model_, images, CamMethod::Cam, attention_, explain_tumor);
  if (images.shape() != input_.shape() || images.dtype() != input_.dtype() ||
      images.device() != input_.device())
    throw std::invalid_argument("RecordedCam::explain: images of shape " +
                                shape_str(images.shape()) + " where " + shape_str(input_.shape()) +
                                " on the model's device was recorded");
  input_.copy_from(images);
  graph_->replay();
  return cam_explanation(maps_, logits_, explain_tumor);
}

}  // namespace braincam
