#pragma once
// One training step exactly as the spec says: training-mode forward (batch statistics), the mean
// loss on the logits (BCE for the binary model, softmax cross-entropy for K >= 2 classes),
// backward, Adam. Gradients stay on the parameters until the next step.
#include "engine/adam.h"
#include "model/brain_detection_model.h"

namespace braincam {

struct StepResult {
  Tensor logits;  // N for the binary model, N x K for K >= 2 classes
  Tensor loss;    // scalar
};

// images: N x 3 x H x W in the model's dtype, labels: N, both on the model's device. The binary
// model's labels are 0 or 1 in its dtype; with K >= 2 classes they are I64 class indices in
// [0, K), which the caller checks before it sends them to a GPU.
// patch_moments: the images' cached patch moments (ImageSet), or null.
StepResult training_step(BrainDetectionModel& model, Adam& optimizer, const Tensor& images,
                         const Tensor& labels, bool attention,
                         const CachedPatchMoments* patch_moments = nullptr);

// The dtype of the labels the step takes: the model's for the binary model, I64 for K >= 2.
inline DType label_dtype(const BrainDetectionModel& model) {
  return model.classes() == 1 ? model.dtype() : DType::I64;
}

// The step without Adam's update: the gradients are left on the parameters (what a recorded step,
// model/training_step_graph.h, runs before its own update).
StepResult training_step_gradients(BrainDetectionModel& model, Adam& optimizer,
                                   const Tensor& images, const Tensor& labels, bool attention,
                                   const CachedPatchMoments* patch_moments = nullptr);

}  // namespace braincam
