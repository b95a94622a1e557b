#pragma once
// CAM maps of batches of one shape, for explaining images as they come (one at a time, say): on
// the GPU and the emulator the evaluation forward and the CAM reduction are recorded once, a CUDA
// graph on the GPU, and each batch replays them: a copy of the batch into the recorded input, one
// graph launch and two small reads, instead of every kernel of the forward queued from the host.
// On the CPU each batch runs explain().
#include <optional>

#include "engine/device_graph.h"
#include "model/explanations.h"

namespace braincam {

class RecordedCam {
 public:
  // Records on the model's device for batches of `images_shape` (N x 3 x H x W). The model must
  // outlive this object and keep its weights: replays read them where they were recorded.
  RecordedCam(BrainDetectionModel& model, const Shape& images_shape, bool attention);
  // One recording, one owner: a copy would replay into the same tensors.
  RecordedCam(const RecordedCam&) = delete;
  RecordedCam& operator=(const RecordedCam&) = delete;

  // The same maps and logits, to the bit, as explain(model, images, CamMethod::Cam, attention,
  // explain_tumor). `images`: the recorded shape, on the model's device and dtype (on every
  // device, std::invalid_argument otherwise).
  Explanation explain(const Tensor& images, bool explain_tumor = true);

 private:
  BrainDetectionModel& model_;
  Shape shape_;
  bool attention_;
  Tensor input_, maps_, logits_;  // the graph's: read and written where it was recorded
  std::optional<DeviceGraph> graph_;
};

}  // namespace braincam
