#pragma once
// The model input of a batch, gathered from a set of stored images: image index[b] of `images`
// (M x H x W x C uint8, HWC as the dataset cache stores them) becomes out[b] (C x H x W floats)
// with value pixel / 255, the division data::to_chw_float does. Index entries must lie in [0, M).
#include <cstdint>

namespace braincam::cpu {

void gather_images(float* out, const std::uint8_t* images, const std::int32_t* index, int N, int C,
                   int H, int W);

}  // namespace braincam::cpu
