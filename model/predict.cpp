#include "model/predict.h"

#include <algorithm>
#include <cmath>

namespace braincam {

namespace {

// The logits of every image, in batches (N, or N x K each).
std::vector<Tensor> batch_logits(BrainDetectionModel& model, const ImageSet& images, bool attention,
                                 int batch) {
  NoGradScope no_grad;
  // Every batch is queued before any logit is read, so that a GPU runs them back to back.
  std::vector<Tensor> logits;
  images.for_each_batch(batch, [&](const ImageSet::Batch& b) {
    logits.push_back(
        model.forward(Var(b.images.to(model.device())), {.attention = attention}).logits.value());
  });
  return logits;
}

}  // namespace

std::vector<double> softmax(const std::vector<double>& z) {
  const double m = *std::max_element(z.begin(), z.end());
  std::vector<double> p;
  double sum = 0;
  for (double v : z) sum += p.emplace_back(std::exp(v - m));
  for (double& v : p) v /= sum;
  return p;
}

std::vector<double> predict_probabilities(BrainDetectionModel& model, const ImageSet& images,
                                          bool attention, int batch) {
  std::vector<double> probabilities;
  for (const Tensor& z : batch_logits(model, images, attention, batch))
    for (double v : z.to_vector()) probabilities.push_back(tumor_probability(v));
  return probabilities;
}

ClassProbabilities predict_class_probabilities(BrainDetectionModel& model, const ImageSet& images,
                                               bool attention, int batch) {
  const auto K = static_cast<std::size_t>(model.classes());
  ClassProbabilities probabilities;
  for (const Tensor& z : batch_logits(model, images, attention, batch)) {
    const std::vector<double> values = z.to_vector();
    for (std::size_t row = 0; row + K <= values.size(); row += K)
      probabilities.push_back(softmax({values.begin() + row, values.begin() + row + K}));
  }
  return probabilities;
}

std::vector<double> predict_probabilities(BrainDetectionModel& model,
                                          const data::DatasetCache& cache,
                                          const std::vector<std::size_t>& indices, bool attention,
                                          int batch) {
  return predict_probabilities(model, ImageSet(cache_images(cache, indices), model.device()),
                               attention, batch);
}

ClassProbabilities predict_class_probabilities(BrainDetectionModel& model,
                                               const data::DatasetCache& cache,
                                               const std::vector<std::size_t>& indices,
                                               bool attention, int batch) {
  return predict_class_probabilities(model, ImageSet(cache_images(cache, indices), model.device()),
                                     attention, batch);
}

}  // namespace braincam
