#pragma once
// One training step exactly as the spec says: training-mode forward (batch statistics), mean
// BCE on the logits, backward, Adam. Gradients stay on the parameters until the next step.
#include "engine/adam.h"
#include "model/brain_detection_model.h"

namespace braincam {

struct StepResult {
  Tensor logits;  // N
  Tensor loss;    // scalar
};

// images: N x 3 x H x W, labels: N (0 or 1), in the model's dtype and on its device.
// patch_moments: the images' cached patch moments (ImageSet), or null.
StepResult training_step(BrainDetectionModel& model, Adam& optimizer, const Tensor& images,
                         const Tensor& labels, bool attention,
                         const CachedPatchMoments* patch_moments = nullptr);

// The step without Adam's update: the gradients are left on the parameters (what a recorded step,
// model/training_step_graph.h, runs before its own update).
StepResult training_step_gradients(BrainDetectionModel& model, Adam& optimizer,
                                   const Tensor& images, const Tensor& labels, bool attention,
                                   const CachedPatchMoments* patch_moments = nullptr);

}  // namespace braincam
