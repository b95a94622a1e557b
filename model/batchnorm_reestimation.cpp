#include "model/batchnorm_reestimation.h"

namespace braincam {

void reestimate_batchnorm(BrainDetectionModel& model, const ImageSet& images, int batch) {
  NoGradScope no_grad;
  int k = 0;
  images.for_each_batch(batch, [&](const ImageSet::Batch& b) {
    // The attention comes after the batchnorm: off, it changes nothing here and costs nothing.
    model.forward(Var(b.images.to(model.device())),
                  {.attention = false, .training = true, .batchnorm_momentum = 1.0 / ++k});
  });
}

}  // namespace braincam
