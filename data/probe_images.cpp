#include "data/probe_images.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "base/random.h"
#include "data/preprocess.h"

namespace braincam::data {
namespace {

// Mirrors position p into 0..n-1, repeating the edge pixel (OpenCV's BORDER_REFLECT).
int reflect(int p, int n) {
  while (p < 0 || p >= n) p = p < 0 ? -p - 1 : 2 * n - 1 - p;
  return p;
}

std::vector<double> gaussian_kernel(double sigma) {
  const int radius = std::max(1, static_cast<int>(std::ceil(3 * sigma)));
  std::vector<double> k(2 * radius + 1);
  double sum = 0;
  for (int i = -radius; i <= radius; ++i)
    sum += k[i + radius] = std::exp(-i * i / (2 * sigma * sigma));
  for (double& v : k) v /= sum;
  return k;
}

}  // namespace

Image blank_image(std::uint8_t value) {
  return Image(kInputSize, kInputSize, kInputChannels, value);
}

Image noise_image(std::uint64_t seed) {
  Image out(kInputSize, kInputSize, kInputChannels);
  Rng rng(seed);
  for (std::size_t i = 0; i < out.pixels.size(); i += kInputChannels)
    std::fill_n(out.pixels.begin() + i, kInputChannels, static_cast<std::uint8_t>(rng.below(256)));
  return out;
}

std::vector<double> gaussian_blur(std::span<const double> values, int w, int h, int c,
                                  double sigma) {
  const std::vector<double> k = gaussian_kernel(sigma);
  const int radius = static_cast<int>(k.size() / 2);
  auto at = [&](int x, int y, int ch) { return (static_cast<std::size_t>(y) * w + x) * c + ch; };
  std::vector<double> rows(values.size()), out(values.size());  // the horizontal pass, then both
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch) {
        double s = 0;
        for (int i = -radius; i <= radius; ++i)
          s += k[i + radius] * values[at(reflect(x + i, w), y, ch)];
        rows[at(x, y, ch)] = s;
      }
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch) {
        double s = 0;
        for (int i = -radius; i <= radius; ++i)
          s += k[i + radius] * rows[at(x, reflect(y + i, h), ch)];
        out[at(x, y, ch)] = s;
      }
  return out;
}

Image gaussian_blur(const Image& image, double sigma) {
  const std::vector<double> values(image.pixels.begin(), image.pixels.end());
  const std::vector<double> blurred =
      gaussian_blur(values, image.width, image.height, image.channels, sigma);
  Image out(image.width, image.height, image.channels);
  for (std::size_t i = 0; i < blurred.size(); ++i)
    out.pixels[i] = static_cast<std::uint8_t>(std::clamp(std::lround(blurred[i]), 0L, 255L));
  return out;
}

}  // namespace braincam::data
