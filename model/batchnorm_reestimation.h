#pragma once
// Batchnorm running statistics re-estimated with a model's current weights (`train
// --bn-statistics reestimated`). Training keeps an exponential average of the batches'
// statistics (momentum 0.1) taken while the weights changed; re-estimation replaces it by the
// plain average over one pass of `images` with the weights as they are, as PyTorch's
// torch.optim.swa_utils.update_bn does (its cumulative average, momentum None).
#include "model/brain_detection_model.h"
#include "model/image_set.h"

namespace braincam {

// One training-mode forward pass over `images` in batches of `batch`, in order, the k-th with
// momentum 1/k: the running mean and variance end as the mean of the batches' statistics (the
// variance unbiased per batch, as training's update). The parameters do not change; the
// batchnorm's batch counter advances by the number of batches.
void reestimate_batchnorm(BrainDetectionModel& model, const ImageSet& images, int batch);

}  // namespace braincam
