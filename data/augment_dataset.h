#pragma once
// `braincam augment`: expands a dataset offline as the seed's augmented set was made. Each source
// image yields per_class + 1 copies (the seed's loop stops after its counter passes
// n_generated_samples, so yes=6, no=9 turn 155 and 98 sources into 1,085 and 980 images), named
// aug_<source stem>_<n>_<k>.jpg with n the copy number and k four random digits, as Keras names
// them, in the input's own folders (yes/, or Training/glioma/ ...: the layouts of
// data/class_folders.h). Lesion masks (masks/<class>/<stem>.png) are carried along with the same
// geometry.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "data/augment_transform.h"
#include "data/dataset_eda.h"
#include "data/image_codec.h"

namespace braincam::data {

struct AugmentOptions {
  std::filesystem::path data_dir;
  std::filesystem::path out_dir;
  int per_class[2] = {9, 6};  // indexed by label: no = 9, yes = 6
  std::uint64_t seed = 42;
  int jpeg_quality = 90;
  bool overwrite = false;
  AugmentRanges ranges;
  DecodeLimits limits{};
};

struct AugmentReport {
  int sources[2] = {0, 0};  // by label
  int written[2] = {0, 0};
  int masks_written = 0;
  std::vector<SkippedFile> skipped;
};

// How parse_per_class reads a number per class: the flag its errors name, the largest number.
struct PerClassFormat {
  std::string_view flag = "--per-class";
  int max = 1000;
};

// Parses "yes=6,no=9" (either order, also tumor=/no_tumor=) into `per_class`.
void parse_per_class(const std::string& text, int per_class[2], const PerClassFormat& format = {});

AugmentReport augment_dataset(const AugmentOptions& options);

}  // namespace braincam::data
