#pragma once
// The model's probabilities of "tumor" for a set of images, in evaluation mode: what validation,
// `braincam evaluate` and `braincam cam` read.
#include <cstddef>
#include <vector>

#include "data/dataset_cache.h"
#include "model/brain_detection_model.h"
#include "model/class_metrics.h"
#include "model/image_set.h"

namespace braincam {

// Probabilities of "tumor" for the images of a set, in evaluation mode, in batches.
std::vector<double> predict_probabilities(BrainDetectionModel& model, const ImageSet& images,
                                          bool attention, int batch = 32);
// The softmax of one image's K logits, computed stably.
std::vector<double> softmax(const std::vector<double>& logits);

// Each image's probabilities of the K classes (the softmax of its logits), for a K-class model.
ClassProbabilities predict_class_probabilities(BrainDetectionModel& model, const ImageSet& images,
                                               bool attention, int batch = 32);
// The same for the images `indices` of `cache`.
std::vector<double> predict_probabilities(BrainDetectionModel& model,
                                          const data::DatasetCache& cache,
                                          const std::vector<std::size_t>& indices, bool attention,
                                          int batch = 32);
ClassProbabilities predict_class_probabilities(BrainDetectionModel& model,
                                               const data::DatasetCache& cache,
                                               const std::vector<std::size_t>& indices,
                                               bool attention, int batch = 32);

}  // namespace braincam
