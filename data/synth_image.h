#pragma once
// One synthetic MRI image: an axial Colin27 slice, optionally with lesions, in T1-like or T2-like
// contrast, under a smooth bias field, windowed and gamma-corrected, placed on a canvas of random
// size and aspect with random rotation, scale and translation, with Rician noise.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "base/random.h"
#include "data/image.h"
#include "data/synth_anatomy.h"
#include "data/synth_difficulty.h"
#include "data/synth_lesion.h"

namespace braincam::data {

struct SynthImageParams {
  int slice = 0;              // axial slice index in the head volume
  bool t2 = false;            // T2-like contrast (else T1-like)
  int width = 0, height = 0;  // canvas, pixels
  double px_per_mm = 1;       // scale
  double aspect = 1;          // horizontal / vertical stretch of the head
  double rotation_deg = 0;
  double offset_x = 0, offset_y = 0;  // head centre offset from the canvas centre, pixels
  double bias[5] = {};                // log bias field: x, y, x², y², xy on [-1, 1]²
  double white = 230;                 // the head's 99th percentile maps here
  double gamma = 1;
  double noise_sigma = 0;  // Rician, on the 0..255 scale
  int jpeg_quality = 90;
  std::uint64_t texture_seed = 0;
  std::vector<Lesion> lesions;  // empty for a healthy image
};

// Samples everything for one image on `slice` (slice number `z`) in the given contrast; `tumor`
// adds one lesion, or two with the difficulty's probability.
SynthImageParams sample_synth_params(Rng& rng, const SynthDifficulty& d, const AxialSlice& slice,
                                     int z, bool tumor, bool t2);

struct SynthImage {
  Image image;  // gray, width × height
  Image mask;   // gray, 255 inside a lesion (all 0 for a healthy image)
};

// Renders the image; `noise` draws the Rician noise.
SynthImage render_synth_image(const AxialSlice& slice, const SynthImageParams& p, Rng& noise);

nlohmann::json to_json(const SynthImageParams& p);

}  // namespace braincam::data
