#pragma once
// Model inputs that hold no anatomy, or only its coarse shape, for the shortcut audit
// (model/shortcut_audit.h): a model that reads the tumor should not call them tumor.
#include <cstdint>
#include <span>
#include <vector>

#include "data/image.h"

namespace braincam::data {

inline constexpr std::uint8_t kProbeGray = 128;  // the mid-gray blank image

// A kInputSize square RGB image of one value everywhere.
Image blank_image(std::uint8_t value);

// A kInputSize square gray image (the three channels equal, as in a scan) of independent uniform
// values 0..255, reproducible from `seed`.
Image noise_image(std::uint64_t seed);

// `image` blurred with a Gaussian of standard deviation `sigma` pixels, channel by channel: a
// separable kernel cut at 3 sigma, normalized to sum 1, mirrored at the borders (dcb|abcd), so a
// constant image stays constant and the mean moves only by rounding and the borders.
Image gaussian_blur(const Image& image, double sigma);
// The same blur on real values, height × width × channels interleaved (channels = 1: one plane).
std::vector<double> gaussian_blur(std::span<const double> values, int width, int height,
                                  int channels, double sigma);

}  // namespace braincam::data
