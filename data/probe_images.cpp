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

Image gaussian_blur(const Image& image, double sigma) {
  const std::vector<double> k = gaussian_kernel(sigma);
  const int radius = static_cast<int>(k.size() / 2), w = image.width, h = image.height,
            c = image.channels;
  std::vector<double> rows(image.pixels.size());  // the horizontal pass
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch) {
        double s = 0;
        for (int i = -radius; i <= radius; ++i)
          s += k[i + radius] * image.at(reflect(x + i, w), y, ch);
        rows[(static_cast<std::size_t>(y) * w + x) * c + ch] = s;
      }
  Image out(w, h, c);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int ch = 0; ch < c; ++ch) {
        double s = 0;
        for (int i = -radius; i <= radius; ++i)
          s += k[i + radius] * rows[(static_cast<std::size_t>(reflect(y + i, h)) * w + x) * c + ch];
        out.at(x, y, ch) = static_cast<std::uint8_t>(std::clamp(std::lround(s), 0L, 255L));
      }
  return out;
}

}  // namespace braincam::data
