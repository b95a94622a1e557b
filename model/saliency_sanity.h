#pragma once
// Sanity checks for saliency maps (Adebayo et al. 2018): does a CAM method's map depend on what
// the model learned? Two tests, on the same tumor images, always explaining "tumor":
//   parameter randomization  the trained model's maps against those of the same model with its
//                            layers re-drawn from the output back, cumulatively
//                            (model/parameter_randomization.h), stage by stage
//   data randomization       the trained model's maps against those of a model trained on
//                            shuffled labels (`braincam train --shuffle-labels`)
// Each comparison is Spearman's rank correlation and SSIM (model/saliency_similarity.h) of the
// maps as the panels show them: upsampled to the model input and min-max normalized, without
// absolute values (CAM's sign says for or against "tumor"; the gradient methods end in a ReLU).
// A method fails a test when its maps' mean rank correlation with the randomized model's (the
// last stage of the cascade, or the shuffled-label model) is at least `fail_rank_correlation`:
// its maps did not change enough to be explaining what the model learned.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "data/dataset_cache.h"
#include "model/bootstrap.h"
#include "model/brain_detection_model.h"
#include "model/explanations.h"
#include "model/parameter_randomization.h"
#include "model/saliency_similarity.h"

namespace braincam {

struct SanityOptions {
  std::uint64_t seed = 42;             // of the re-drawn layers and the bootstrap's resamples
  int resamples = 2000;                // of the bootstrap interval of each mean (images resampled)
  double confidence = 0.95;            // of those intervals
  double fail_rank_correlation = 0.5;  // a mean rank correlation at or above it: the method fails
  int batch = 16;                      // images explained at once
  int example_images = 3;              // the first images, whose maps are kept for a figure
  SsimOptions ssim;
};

// A model and how it runs.
struct ExplainedModel {
  BrainDetectionModel* model = nullptr;
  bool attention = false;
};

// How alike one method's maps of two models are, over the images.
struct SimilaritySummary {
  std::vector<double> rank_correlation, ssim;  // per image
  double rank_correlation_mean = 0, ssim_mean = 0;
  Interval rank_correlation_interval, ssim_interval;  // bootstrap, over images
  int constant_maps = 0;  // images whose map of the compared model is constant
};

struct MethodSanity {
  CamMethod method = CamMethod::Cam;
  std::vector<SimilaritySummary> stages;      // one per stage of the cascade, in its order
  std::optional<SimilaritySummary> shuffled;  // against the shuffled-label model, when given
  bool parameter_test_failed = false;
  bool data_test_failed = false;  // false when there is no shuffled-label model
  // The maps of the first example images (k x H x W, normalized) of the trained model, each stage
  // and, when given, the shuffled-label model, in that order.
  std::vector<Tensor> examples;
};

struct SaliencySanity {
  SanityOptions options;
  std::vector<RandomizedLayer> layers;  // the cascade; stage k re-draws layers[0..k]
  std::vector<MethodSanity> methods;    // in all_cam_methods() order
  std::size_t images = 0;
  bool shuffled = false;  // whether the data randomization test ran
};

// Whether a mean rank correlation fails the rule: at or above the threshold.
inline bool fails_sanity_rule(double mean_rank_correlation, double threshold) {
  return mean_rank_correlation >= threshold;
}

// The bootstrap percentile interval of the mean of `values`: `resamples` means of as many values
// drawn with replacement, resample r from Rng(seed, stream 4, r); no interval (NaN) for no values.
Interval bootstrap_mean_interval(const std::vector<double>& values, int resamples,
                                 double confidence, std::uint64_t seed);

// Both tests of every CAM method on the images `ids` of `cache` (at least one). `shuffled` may
// have no model: the data randomization test is then left out.
SaliencySanity saliency_sanity(const ExplainedModel& trained, const ExplainedModel& shuffled,
                               const data::DatasetCache& cache, const std::vector<std::size_t>& ids,
                               const SanityOptions& options);

nlohmann::json to_json(const SaliencySanity& sanity);

}  // namespace braincam
