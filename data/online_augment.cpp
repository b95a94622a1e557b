#include "data/online_augment.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "data/augment_transform.h"

namespace braincam::data {

namespace {

constexpr std::uint32_t kAllMriTransforms = (1u << std::size(kMriTransformNames)) - 1;

std::uint32_t transform_bit(const std::string& name) {
  for (const auto& [n, t] : kMriTransformNames)
    if (name == n) return 1u << static_cast<int>(t);
  throw std::invalid_argument("unknown augmentation '" + name +
                              "' (none, seed, mri, or a list of flip, rotate, shift, bias, "
                              "contrast, intensity, gamma, noise)");
}

// Rotation, shift and flip, as the seed's transform computes them (no shear, no brightness).
Image move(const Image& image, const OnlineAugment& a, const MriAugmentParams& p) {
  AugmentParams g;
  if (a.has(MriTransform::rotate)) g.rotation_deg = p.rotation_deg;
  if (a.has(MriTransform::shift)) {
    g.shift_x = p.shift_x;
    g.shift_y = p.shift_y;
  }
  g.flip_horizontal = a.has(MriTransform::flip) && p.flip;
  return apply_augment(image, g, Resampling::bilinear, /*with_brightness=*/false);
}

// exp of the log bias field at pixel (x, y).
double bias_factor(const double (&b)[5], int x, int y, int width, int height) {
  const double u = 2.0 * x / (width - 1) - 1.0, w = 2.0 * y / (height - 1) - 1.0;
  return std::exp(b[0] * u + b[1] * w + b[2] * u * u + b[3] * w * w + b[4] * u * w);
}

}  // namespace

OnlineAugment parse_online_augment(const std::string& text) {
  if (text == "none") return {};
  if (text == "seed") return {OnlineAugment::Kind::seed, 0};
  if (text == "mri") return {OnlineAugment::Kind::mri, kAllMriTransforms};
  OnlineAugment a{OnlineAugment::Kind::mri, 0};
  std::stringstream words(text);
  for (std::string word; std::getline(words, word, ',');) {
    const std::uint32_t bit = transform_bit(word);
    if (a.transforms & bit) throw std::invalid_argument("augmentation '" + word + "' given twice");
    a.transforms |= bit;
  }
  if (a.transforms == 0) transform_bit(text);  // an empty list: throws naming it
  return a;
}

std::string to_string(const OnlineAugment& a) {
  if (a.kind == OnlineAugment::Kind::none) return "none";
  if (a.kind == OnlineAugment::Kind::seed) return "seed";
  if (a.transforms == kAllMriTransforms) return "mri";
  std::string list;
  for (const auto& [name, t] : kMriTransformNames)
    if (a.has(t)) list += (list.empty() ? "" : ",") + std::string(name);
  return list;
}

MriAugmentParams sample_mri_augment(Rng& rng, int width, int height) {
  MriAugmentParams p;
  p.flip = rng.chance(0.5);
  p.rotation_deg = rng.uniform(-10.0, 10.0);
  p.shift_x = rng.uniform(-0.05, 0.05) * width;
  p.shift_y = rng.uniform(-0.05, 0.05) * height;
  for (double& b : p.bias) b = rng.uniform(-0.1, 0.1);
  p.contrast = rng.log_uniform(0.8, 1.25);
  p.intensity = rng.uniform(0.85, 1.15);
  p.gamma = rng.log_uniform(0.7, 1.4);
  p.noise_sigma = rng.uniform(0.0, 0.03);
  return p;
}

void apply_mri_augment(const Image& image, const OnlineAugment& a, const MriAugmentParams& p,
                       Rng& noise, float* chw) {
  const bool moved =
      a.has(MriTransform::flip) || a.has(MriTransform::rotate) || a.has(MriTransform::shift);
  const Image source = moved ? move(image, a, p) : image;
  const int w = source.width, h = source.height, cn = source.channels;
  const std::size_t plane = static_cast<std::size_t>(w) * h;
  double sum = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const double f = a.has(MriTransform::bias) ? bias_factor(p.bias, x, y, w, h) : 1.0;
      for (int c = 0; c < cn; ++c) {
        const double v = std::min(source.at(x, y, c) / 255.0 * f, 1.0);
        chw[c * plane + static_cast<std::size_t>(y) * w + x] = static_cast<float>(v);
        sum += v;
      }
    }
  const bool tone = a.has(MriTransform::contrast) || a.has(MriTransform::intensity) ||
                    a.has(MriTransform::gamma) || a.has(MriTransform::noise);
  if (!tone) return;
  const double mean = sum / static_cast<double>(plane * cn);
  const double stretch = a.has(MriTransform::contrast) ? p.contrast : 1.0;
  const double scale = a.has(MriTransform::intensity) ? p.intensity : 1.0;
  for (std::size_t i = 0; i < plane; ++i) {
    // One noise draw per pixel for every channel, so a gray image stays gray.
    double n1 = 0, n2 = 0;
    if (a.has(MriTransform::noise)) {
      noise.normal_pair(n1, n2);
      n1 *= p.noise_sigma;
      n2 *= p.noise_sigma;
    }
    for (int c = 0; c < cn; ++c) {
      float& out = chw[c * plane + i];
      double v = std::clamp((mean + stretch * (out - mean)) * scale, 0.0, 1.0);
      if (a.has(MriTransform::gamma)) v = std::pow(v, p.gamma);
      if (a.has(MriTransform::noise)) v = std::min(std::hypot(v + n1, n2), 1.0);
      out = static_cast<float>(v);
    }
  }
}

}  // namespace braincam::data
