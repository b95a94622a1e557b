#pragma once
// On-the-fly augmentation of training batches, `train --augment`:
//   none  the images as stored;
//   seed  the seed's Keras transform (augment_transform.h: rotation, shift, shear, brightness
//         0.3-1.0, both flips), as its augmented set was made;
//   a comma-separated list of MRI transforms, or `mri` for all of them, each a switch of its own
//   so that they can be measured one by one:
//     flip       left-right mirror, probability 1/2 (axial slices are near-symmetric)
//     rotate     a rotation of up to ±10°
//     shift      a translation of up to ±5% of the side on each axis
//     bias       a smooth multiplicative bias field, exp of a random quadratic on [-1, 1]²
//     contrast   the image stretched about its mean by a factor in [0.8, 1.25]
//     intensity  every pixel scaled by a factor in [0.85, 1.15]
//     gamma      v^γ with γ in [0.7, 1.4] (log-uniform)
//     noise      Rician noise of σ up to 0.03 of full scale, as magnitude MR images carry
// Geometry comes first (bilinear, edge pixels repeated), then bias, contrast, intensity, gamma
// and noise on values in [0, 1], clipped after bias, intensity and noise. Every parameter is
// drawn whether or not its transform is on, so switching one transform on or off leaves the
// others' draws unchanged.
#include <cstdint>
#include <string>
#include <utility>

#include "base/random.h"
#include "data/image.h"

namespace braincam::data {

enum class MriTransform : std::uint8_t {
  flip,
  rotate,
  shift,
  bias,
  contrast,
  intensity,
  gamma,
  noise
};
inline constexpr std::pair<const char*, MriTransform> kMriTransformNames[] = {
    {"flip", MriTransform::flip},         {"rotate", MriTransform::rotate},
    {"shift", MriTransform::shift},       {"bias", MriTransform::bias},
    {"contrast", MriTransform::contrast}, {"intensity", MriTransform::intensity},
    {"gamma", MriTransform::gamma},       {"noise", MriTransform::noise}};

struct OnlineAugment {
  enum class Kind { none, seed, mri };
  Kind kind = Kind::none;
  std::uint32_t transforms = 0;  // with `mri`: one bit per MriTransform

  bool enabled() const { return kind != Kind::none; }
  bool has(MriTransform t) const { return transforms >> static_cast<int>(t) & 1u; }
  bool operator==(const OnlineAugment&) const = default;
};

// "none", "seed", "mri" or a comma-separated list of transform names (any order, no repeats).
// Throws std::invalid_argument naming the unknown or repeated word.
OnlineAugment parse_online_augment(const std::string& text);
// The canonical spelling: "none", "seed", "mri" for all transforms, else the list in table order.
std::string to_string(const OnlineAugment& augment);

// One draw of every MRI transform's parameters.
struct MriAugmentParams {
  bool flip = false;
  double rotation_deg = 0, shift_x = 0, shift_y = 0;  // shifts in pixels
  double bias[5] = {};  // log bias field: x, y, x², y², xy on [-1, 1]²
  double contrast = 1, intensity = 1, gamma = 1, noise_sigma = 0;
};
MriAugmentParams sample_mri_augment(Rng& rng, int width, int height);

// `image` (width × height × 3, uint8) transformed by the switched-on transforms of `augment` with
// parameters `p`, written as 3 × height × width floats in [0, 1]; `noise` draws the noise.
void apply_mri_augment(const Image& image, const OnlineAugment& augment, const MriAugmentParams& p,
                       Rng& noise, float* chw);

}  // namespace braincam::data
