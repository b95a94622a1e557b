#pragma once
// `braincam synth`: writes a synthetic dataset in the Kaggle layout
//   OUT/yes/Y<i>.jpg, OUT/no/N<i>.jpg    the images (gray JPEG)
//   OUT/masks/yes/Y<i>.png               each tumor image's lesion mask (0 / 255)
//   OUT/synth.json                       the settings and every image's parameters
// Image i of a class is drawn from Rng(seed, class, i), so the files do not depend on the number
// of threads, and the same seed gives byte-identical files.
#include <cstdint>
#include <filesystem>
#include <string>

#include "base/random.h"
#include "data/synth_anatomy.h"
#include "data/synth_difficulty.h"
#include "data/synth_image.h"

namespace braincam::data {

// The seed's class sizes: of 2,065 images, 1,085 with a tumor.
inline constexpr int kSeedImages = 2065;
inline constexpr int kSeedTumorImages = 1085;

// Shares of the healthy images that show no head at all (noise only, down to all black) and a
// slice with little or no brain (data/synth_image.h: SynthFrame). Tumor images always show a
// slice through the brain, from the same range as the other healthy images.
inline constexpr double kEmptyFrameShare = 0.03;
inline constexpr double kEdgeSliceShare = 0.05;

// The slice plane's tilt: uniform within ± these, for every frame that shows a head.
inline constexpr double kSlicePitchDeg = 8;
inline constexpr double kSliceRollDeg = 4;

// Image `index` of its class: the slice and every parameter, drawn from `rng`, which then draws
// the image's noise. Contrast cycles T1, T2, FLAIR with the index within each class, so that it
// cannot hint at the label.
struct SynthDraw {
  AxialSlice slice;
  SynthImageParams params;
};
SynthDraw draw_synth_image(const Anatomy& anatomy, const SynthDifficulty& d, Rng& rng, bool tumor,
                           int index);

struct SynthOptions {
  std::filesystem::path out_dir;
  int count = kSeedImages;
  std::uint64_t seed = 42;
  std::string difficulty = "default";
  std::filesystem::path anatomy{};     // the head; empty: BRAINCAM_ANATOMY or kDefaultAnatomy
  std::filesystem::path brain_mask{};  // empty: default_brain_mask(anatomy)
  bool overwrite = false;
};

struct SynthReport {
  int tumor = 0;
  int healthy = 0;
  std::filesystem::path anatomy;
};

SynthReport synthesize_dataset(const SynthOptions& options);

}  // namespace braincam::data
