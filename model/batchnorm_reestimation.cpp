#include "model/batchnorm_reestimation.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace braincam {

void reestimate_batchnorm(BrainDetectionModel& model, const ImageSet& images, int batch) {
  NoGradScope no_grad;
  std::vector<std::size_t> positions(images.size());
  std::iota(positions.begin(), positions.end(), 0);
  const ImageSet::Order order = images.order(positions);
  int k = 0;
  for (std::size_t start = 0; start < images.size(); start += batch) {
    const ImageSet::Batch b =
        images.batch(order, start, std::min<std::size_t>(batch, images.size() - start));
    // The attention comes after the batchnorm: off, it changes nothing here and costs nothing.
    model.forward(Var(b.images.to(model.device())),
                  {.attention = false, .training = true, .batchnorm_momentum = 1.0 / ++k});
  }
}

}  // namespace braincam
