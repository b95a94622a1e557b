#pragma once
// The shortcut audit: whether a model reads the tumor or something that merely comes with it
// (the scanner, the hospital, the preprocessing of one class's source). A model can score near
// perfectly on a test split whose tumor and healthy images come from different sources while it
// ignores the anatomy; these probes show it (docs/explanations.md, "Shortcut audit"):
//   blank inputs       p(tumor) of an all-black, a mid-gray and a uniform-noise image
//   blurred            each image under a heavy Gaussian blur: mean p(tumor) and the share called
//                      tumor, per true label
//   brain only         the background blacked out: accuracy and ROC AUC
//   background only    the head blacked out: accuracy and ROC AUC (high: the model reads the
//                      source, not the anatomy)
//   per source         accuracy and mean p(tumor) per class (or folder) of the manifest
//   lesion fill        where lesion masks exist, each lesion filled in from its surroundings: the
//                      share of tumor images still called tumor and the mean drop in p(tumor)
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/dataset_cache.h"
#include "model/brain_detection_model.h"

namespace braincam {

struct AuditOptions {
  double threshold = 0.5;  // p(tumor) above it: called tumor
  bool attention = false;  // the checkpoint's setting
  std::uint64_t seed = 0;  // of the noise image
  double blur_sigma = 8;   // pixels of the 240-pixel input
  int lesion_margin = 3;   // pixels the lesion mask is grown by before the fill (its soft edge)
  int batch = 32;
};

// p(tumor) of one blank input.
struct BlankProbe {
  std::string name;  // black, gray, noise
  double probability = 0;
};

// The images of one true label: how many, their mean p(tumor), the share called tumor.
struct LabelScores {
  std::int64_t n = 0;
  double mean_probability = 0, tumor_share = 0;
};
struct ScoresByLabel {
  LabelScores tumor, no_tumor;
};

// Accuracy, balanced accuracy (the mean of sensitivity and specificity, which a constant answer
// scores 0.5 however unbalanced the set) and ROC AUC of a set of images; the last two are NaN
// with one class only.
struct SetScores {
  std::int64_t n = 0;
  double accuracy = 0, balanced_accuracy = 0, roc_auc = 0;
};

// One class (or folder) of the manifest.
struct SourceScores {
  std::string name;
  std::int64_t n = 0, tumor_images = 0;
  double accuracy = 0, mean_probability = 0;
};

struct LesionFillScores {
  std::int64_t n = 0;  // tumor images with a lesion mask; 0: the test was not run
  double still_tumor_share = 0, mean_before = 0, mean_after = 0, mean_drop = 0;
};

struct ShortcutAudit {
  AuditOptions options;
  SetScores full;
  ScoresByLabel full_by_label;
  std::vector<BlankProbe> blanks;
  ScoresByLabel blurred;
  SetScores brain_only, background_only;
  double brain_area_share = 0;  // mean share of the image the head covers
  std::string source_key;       // "class" or "folder"
  std::vector<SourceScores> sources;
  LesionFillScores lesion_fill;
};

// The audit of `model` on the images `ids` of `cache` (at least one).
ShortcutAudit shortcut_audit(BrainDetectionModel& model, const data::DatasetCache& cache,
                             const std::vector<std::size_t>& ids, const AuditOptions& options);

nlohmann::json to_json(const ShortcutAudit& audit);

}  // namespace braincam
