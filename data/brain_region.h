#pragma once
// The head in a model input and the two halves of the shortcut audit's masking test
// (model/shortcut_audit.h): the image with only the head kept, and with only the background kept.
#include <cstdint>
#include <vector>

#include "data/image.h"

namespace braincam::data {

// The region the brain crop finds (brain_mask of brain_crop.h: gray above 45 after its 5x5 blur,
// eroded and dilated) with its holes filled, so that dark structures inside the head (ventricles,
// a necrotic lesion) belong to it: 1 inside, 0 outside, one byte per pixel. The skull is part of
// it; the background is what lies outside, reached from the image's border.
std::vector<std::uint8_t> brain_region(const Image& image);

enum class RegionKept { brain, background };

// `image` with the pixels of the other region set to black: `brain` keeps the head on a black
// background; `background` blacks the head out and keeps only what lies around it (its outline
// stays visible). The two add up to `image`.
Image keep_region(const Image& image, const std::vector<std::uint8_t>& region, RegionKept kept);

}  // namespace braincam::data
