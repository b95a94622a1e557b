#pragma once
// One random augmentation as the seed's augmented set was made (Keras ImageDataGenerator with
// rotation_range=10, width_shift_range=0.1, height_shift_range=0.1, shear_range=0.1,
// brightness_range=(0.3, 1.0), horizontal_flip, vertical_flip, fill_mode='nearest').
// As in Keras, the shear range is an angle in degrees, the affine map is bilinear with edge
// pixels repeated outside the image, flips follow the affine map and brightness comes last
// (a factor on every pixel, clipped to 255).
#include "base/random.h"
#include "data/image.h"

namespace braincam::data {

struct AugmentRanges {
  double rotation_deg = 10.0;
  double width_shift = 0.1;   // fraction of the width
  double height_shift = 0.1;  // fraction of the height
  double shear_deg = 0.1;
  double brightness_min = 0.3;
  double brightness_max = 1.0;
  bool horizontal_flip = true;
  bool vertical_flip = true;
};

struct AugmentParams {
  double rotation_deg = 0.0;
  double shift_x = 0.0;  // pixels
  double shift_y = 0.0;  // pixels
  double shear_deg = 0.0;
  double brightness = 1.0;
  bool flip_horizontal = false;
  bool flip_vertical = false;
};

AugmentParams sample_augment(Rng& rng, int width, int height, const AugmentRanges& ranges = {});

enum class Resampling { bilinear, nearest };

// Applies `p` to `image` (any channel count). `nearest` with `with_brightness` false is meant for
// masks, which must stay binary and keep their full value.
Image apply_augment(const Image& image, const AugmentParams& p,
                    Resampling resampling = Resampling::bilinear, bool with_brightness = true);

}  // namespace braincam::data
