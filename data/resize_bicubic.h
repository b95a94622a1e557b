#pragma once
// Bicubic resizing as cv2.resize(..., interpolation=INTER_CUBIC) computes it for 8-bit images:
// Keys' kernel with a = -0.75, pixel-centre alignment, clamped borders, 11-bit fixed-point
// weights in each direction.
#include "data/image.h"

namespace braincam::data {

Image resize_bicubic(const Image& src, int width, int height);

}  // namespace braincam::data
