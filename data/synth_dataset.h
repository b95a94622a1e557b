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

namespace braincam::data {

// The seed's class sizes: of 2,065 images, 1,085 with a tumor.
inline constexpr int kSeedImages = 2065;
inline constexpr int kSeedTumorImages = 1085;

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
