#pragma once
// The knobs that decide how hard the synthetic dataset is, and their three presets. Lesion
// contrast, size, count and kind decide whether a small CNN can learn the task; healthy bright
// structures keep "a bright blob" from being enough; noise, bias field and JPEG quality make it
// look like the Kaggle scans. docs/benchmark-log.md records how they were chosen.
#include <array>
#include <nlohmann/json.hpp>
#include <string>

namespace braincam::data {

struct SynthDifficulty {
  std::string name;
  double lesion_contrast = 0.9;     // 0..1: how far lesion tissue moves toward its target intensity
  double lesion_enhancement = 120;  // added to the enhancing parts' targets (0..255 scale)
  double radius_min_mm = 12.0;      // lesion radius range (the brain is about 140 × 170 mm)
  double radius_max_mm = 30.0;
  double second_lesion = 0.2;  // probability of a second lesion
  // Relative frequency of each LesionKind: enhancing, ring-enhancing (necrotic core),
  // non-enhancing, hypo-intense.
  std::array<double, 4> lesion_kinds = {0.35, 0.25, 0.2, 0.2};
  double edema_min = 1.3;  // edema reach, in lesion radii
  double edema_max = 2.0;
  // Healthy bright structures (data/synth_bright.h), drawn alike in both classes: their mean
  // number per image and their radius range.
  double bright_mean = 1.2;
  double bright_radius_min_mm = 1.5;
  double bright_radius_max_mm = 14.0;
  double noise_min = 0.015;  // Rician noise sigma, fraction of full scale
  double noise_max = 0.045;
  double bias_strength = 0.25;  // spread of the smooth multiplicative bias field (log scale)
  int jpeg_min = 75;
  int jpeg_max = 95;
};

// "easy", "default" or "hard"; throws DataError for anything else.
SynthDifficulty synth_difficulty(const std::string& name);
nlohmann::json to_json(const SynthDifficulty& d);

}  // namespace braincam::data
