#include "model/training_step.h"

#include "engine/ops.h"

namespace braincam {

StepResult training_step(BrainDetectionModel& model, Adam& optimizer, const Tensor& images,
                         const Tensor& labels, bool attention) {
  optimizer.zero_grad();
  const ForwardResult r = model.forward(Var(images), attention, /*training=*/true);
  const Var loss = bce_with_logits(r.logits, labels);
  backward(loss);
  optimizer.step();
  return {r.logits.value().reshape({images.dim(0)}), loss.value()};
}

}  // namespace braincam
