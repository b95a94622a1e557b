#pragma once
// Lesion masks of the synthetic dataset: for an image <root>/<...>/yes/<stem>.jpg the mask is
// <root>/<...>/masks/yes/<stem>.png, a gray PNG of the same size (255 inside a lesion).
#include <filesystem>
#include <optional>

#include "data/brain_crop.h"
#include "data/image.h"

namespace braincam::data {

std::filesystem::path lesion_mask_path(const std::filesystem::path& image_file);

// The mask of `image_file`, cropped with `box` (the image's crop box) and resized to
// kInputSize × kInputSize, one channel, 0 or 255: aligned with the model input. Nothing when the
// image has no mask file (real data, healthy images). Throws DataError when the mask exists but
// is unreadable or its size differs from `source_width` × `source_height`.
std::optional<Image> load_lesion_mask(const std::filesystem::path& image_file, const CropBox& box,
                                      int source_width, int source_height);

}  // namespace braincam::data
