#include "model/predict.h"

#include <algorithm>
#include <numeric>

namespace braincam {

std::vector<double> predict_probabilities(BrainDetectionModel& model, const ImageSet& images,
                                          bool attention, int batch) {
  NoGradScope no_grad;
  // Every batch is queued before any logit is read, so that a GPU runs them back to back.
  std::vector<std::size_t> positions(images.size());
  std::iota(positions.begin(), positions.end(), 0);
  const ImageSet::Order order = images.order(positions);
  std::vector<Tensor> logits;
  for (std::size_t start = 0; start < images.size(); start += batch) {
    const ImageSet::Batch b =
        images.batch(order, start, std::min<std::size_t>(batch, images.size() - start));
    logits.push_back(
        model.forward(Var(b.images.to(model.device())), {.attention = attention}).logits.value());
  }
  std::vector<double> probabilities;
  for (const Tensor& z : logits)
    for (double v : z.to_vector()) probabilities.push_back(tumor_probability(v));
  return probabilities;
}

std::vector<double> predict_probabilities(BrainDetectionModel& model,
                                          const data::DatasetCache& cache,
                                          const std::vector<std::size_t>& indices, bool attention,
                                          int batch) {
  return predict_probabilities(model, ImageSet(cache_images(cache, indices), model.device()),
                               attention, batch);
}

}  // namespace braincam
