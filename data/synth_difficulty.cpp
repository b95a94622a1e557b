#include "data/synth_difficulty.h"

#include "data/data_error.h"

namespace braincam::data {

SynthDifficulty synth_difficulty(const std::string& name) {
  SynthDifficulty d;  // the defaults above
  d.name = name;
  if (name == "default") return d;
  if (name == "easy") {
    d.lesion_contrast = 1.0;
    d.lesion_enhancement = 150;
    d.radius_min_mm = 16.0;
    d.radius_max_mm = 34.0;
    d.second_lesion = 0.3;
    d.lesion_kinds = {0.5, 0.3, 0.1, 0.1};
    d.bright_mean = 0.6;
    d.bright_radius_max_mm = 10.0;
    d.noise_min = 0.01;
    d.noise_max = 0.03;
    d.bias_strength = 0.15;
    d.jpeg_min = 85;
    return d;
  }
  if (name == "hard") {
    d.lesion_contrast = 0.6;
    d.lesion_enhancement = 60;
    d.radius_min_mm = 5.0;
    d.radius_max_mm = 16.0;
    d.second_lesion = 0.1;
    d.lesion_kinds = {0.25, 0.25, 0.25, 0.25};
    d.edema_max = 1.6;
    d.bright_mean = 1.6;
    d.bright_radius_max_mm = 16.0;
    d.noise_min = 0.03;
    d.noise_max = 0.07;
    d.bias_strength = 0.35;
    d.jpeg_min = 60;
    d.jpeg_max = 90;
    return d;
  }
  throw DataError("unknown difficulty '" + name + "' (expected easy, default or hard)");
}

nlohmann::json to_json(const SynthDifficulty& d) {
  return {{"name", d.name},
          {"lesion_contrast", d.lesion_contrast},
          {"lesion_enhancement", d.lesion_enhancement},
          {"radius_mm", {d.radius_min_mm, d.radius_max_mm}},
          {"second_lesion_probability", d.second_lesion},
          {"lesion_kind_weights",
           {{"enhancing", d.lesion_kinds[0]},
            {"ring_enhancing", d.lesion_kinds[1]},
            {"non_enhancing", d.lesion_kinds[2]},
            {"hypointense", d.lesion_kinds[3]}}},
          {"edema_reach_radii", {d.edema_min, d.edema_max}},
          {"bright_structures_per_image", d.bright_mean},
          {"bright_structure_radius_mm", {d.bright_radius_min_mm, d.bright_radius_max_mm}},
          {"noise_sigma", {d.noise_min, d.noise_max}},
          {"bias_strength", d.bias_strength},
          {"jpeg_quality", {d.jpeg_min, d.jpeg_max}}};
}

}  // namespace braincam::data
