#include "model/training_step.h"

#include "engine/gpu_runtime.h"
#include "engine/ops.h"

namespace braincam {

StepResult training_step_gradients(BrainDetectionModel& model, Adam& optimizer,
                                   const Tensor& images, const Tensor& labels, bool attention,
                                   const CachedPatchMoments* patch_moments) {
  // NVTX ranges around the phases, above the per-op ranges of the GPU kernels, so that Nsight
  // Systems shows the timeline step by step (free when no profiler is attached).
  optimizer.zero_grad();
  const ForwardResult r = [&] {
    const gpu::OpRange range("forward");
    return model.forward(
        Var(images), {.attention = attention, .training = true, .patch_moments = patch_moments});
  }();
  const bool binary = model.classes() == 1;
  const Var loss =
      binary ? bce_with_logits(r.logits, labels) : softmax_cross_entropy(r.logits, labels);
  {
    const gpu::OpRange range("backward");
    backward(loss);
  }
  return {binary ? r.logits.value().reshape({images.dim(0)}) : r.logits.value(), loss.value()};
}

StepResult training_step(BrainDetectionModel& model, Adam& optimizer, const Tensor& images,
                         const Tensor& labels, bool attention,
                         const CachedPatchMoments* patch_moments) {
  const gpu::OpRange step_range("training step");
  StepResult result =
      training_step_gradients(model, optimizer, images, labels, attention, patch_moments);
  const gpu::OpRange range("optimizer");
  optimizer.step();
  return result;
}

}  // namespace braincam
