#pragma once
// The seed's preprocessing of one image: crop to the brain (brain_crop.h), resize to 240×240
// with bicubic interpolation, three channels; `to_chw_float` then gives the model input in [0,1].
#include <cstdint>
#include <filesystem>
#include <vector>

#include "data/brain_crop.h"
#include "data/image.h"
#include "data/image_codec.h"

namespace braincam::data {

inline constexpr int kInputSize = 240;    // model input height and width
inline constexpr int kInputChannels = 3;  // RGB; gray sources are replicated

struct Preprocessed {
  Image input;           // kInputSize × kInputSize × 3, uint8
  BrainCrop crop;        // box in the original image; crop.found false: whole image kept
  int source_width = 0;  // original size
  int source_height = 0;
};

// `rgb` must have 3 channels.
Preprocessed preprocess_image(const Image& rgb);

// decode → crop → resize, for one file (what `braincam predict` feeds the model).
// Throws DataError naming the file when it cannot be decoded.
Preprocessed preprocess_file(const std::filesystem::path& file, const DecodeLimits& limits = {});

// HWC uint8 → CHW float in [0,1] (value / 255), written to `out` (3 × H × W floats).
void to_chw_float(const std::uint8_t* hwc, int width, int height, float* out);
std::vector<float> to_chw_float(const Image& image);

}  // namespace braincam::data
