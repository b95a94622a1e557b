#include "data/augment_transform.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace braincam::data {

AugmentParams sample_augment(Rng& rng, int width, int height, const AugmentRanges& r) {
  AugmentParams p;
  p.rotation_deg = rng.uniform(-r.rotation_deg, r.rotation_deg);
  p.shift_y = rng.uniform(-r.height_shift, r.height_shift) * height;
  p.shift_x = rng.uniform(-r.width_shift, r.width_shift) * width;
  p.shear_deg = rng.uniform(-r.shear_deg, r.shear_deg);
  p.flip_horizontal = r.horizontal_flip && rng.chance(0.5);
  p.flip_vertical = r.vertical_flip && rng.chance(0.5);
  p.brightness = rng.uniform(r.brightness_min, r.brightness_max);
  return p;
}

Image apply_augment(const Image& image, const AugmentParams& p, Resampling resampling,
                    bool with_brightness) {
  const int w = image.width, h = image.height, cn = image.channels;
  Image out(w, h, cn);
  const double theta = p.rotation_deg * std::numbers::pi / 180.0;
  const double shear = p.shear_deg * std::numbers::pi / 180.0;
  const double ct = std::cos(theta), st = std::sin(theta);
  const double cr = (h - 1) / 2.0, cc = (w - 1) / 2.0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      // Keras maps output (row, col) to input with rotation · shift · shear about the centre.
      const double r0 = y - cr, c0 = x - cc;
      const double r1 = r0 - std::sin(shear) * c0 + p.shift_y;
      const double c1 = std::cos(shear) * c0 + p.shift_x;
      const double sr = std::clamp(ct * r1 - st * c1 + cr, 0.0, h - 1.0);
      const double sc = std::clamp(st * r1 + ct * c1 + cc, 0.0, w - 1.0);
      const int ox = p.flip_horizontal ? w - 1 - x : x;
      const int oy = p.flip_vertical ? h - 1 - y : y;
      std::uint8_t* dst = out.row(oy) + static_cast<std::size_t>(ox) * cn;
      if (resampling == Resampling::nearest) {
        const int ix = static_cast<int>(std::lround(sc)), iy = static_cast<int>(std::lround(sr));
        for (int c = 0; c < cn; ++c) {
          const double v = image.at(ix, iy, c) * (with_brightness ? p.brightness : 1.0);
          dst[c] = static_cast<std::uint8_t>(std::min(std::lround(v), 255L));
        }
        continue;
      }
      const int x0 = static_cast<int>(sc), y0 = static_cast<int>(sr);
      const int x1 = std::min(x0 + 1, w - 1), y1 = std::min(y0 + 1, h - 1);
      const double fx = sc - x0, fy = sr - y0;
      for (int c = 0; c < cn; ++c) {
        const double top = image.at(x0, y0, c) * (1 - fx) + image.at(x1, y0, c) * fx;
        const double bottom = image.at(x0, y1, c) * (1 - fx) + image.at(x1, y1, c) * fx;
        double v = top * (1 - fy) + bottom * fy;
        if (with_brightness) v *= p.brightness;
        dst[c] = static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
      }
    }
  return out;
}

}  // namespace braincam::data
