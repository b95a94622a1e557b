#include "data/lesion_fill.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace braincam::data {
namespace {

constexpr double kOverRelaxation = 1.9;  // converges in a few hundred sweeps on a lesion's size
constexpr double kTolerance = 1e-3;      // gray levels
constexpr int kMaxSweeps = 10000;

constexpr int kDx[4] = {1, -1, 0, 0};
constexpr int kDy[4] = {0, 0, 1, -1};

// One channel of `image` with its masked pixels (`inside`) solved for; `start` is their first
// guess.
void solve_channel(std::vector<double>& v, const std::vector<std::size_t>& inside, int w, int h,
                   double start) {
  for (std::size_t i : inside) v[i] = start;
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    double largest = 0;
    for (std::size_t i : inside) {
      const int x = static_cast<int>(i % w), y = static_cast<int>(i / w);
      double sum = 0;
      int n = 0;
      for (int d = 0; d < 4; ++d) {
        const int nx = x + kDx[d], ny = y + kDy[d];
        if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;  // the image's edge: no neighbour
        sum += v[static_cast<std::size_t>(ny) * w + nx];
        ++n;
      }
      if (n == 0) continue;  // a one-pixel image
      const double change = kOverRelaxation * (sum / n - v[i]);
      v[i] += change;
      largest = std::max(largest, std::abs(change));
    }
    if (largest < kTolerance) return;
  }
}

}  // namespace

Image grow_mask(const Image& mask, int radius) {
  Image out(mask.width, mask.height, 1);
  for (int y = 0; y < mask.height; ++y)
    for (int x = 0; x < mask.width; ++x) {
      if (!mask.at(x, y)) continue;
      for (int dy = -radius; dy <= radius; ++dy)
        for (int dx = -radius; dx <= radius; ++dx) {
          const int nx = x + dx, ny = y + dy;
          if (dx * dx + dy * dy <= radius * radius && nx >= 0 && ny >= 0 && nx < mask.width &&
              ny < mask.height)
            out.at(nx, ny) = 255;
        }
    }
  return out;
}

Image fill_from_surroundings(const Image& image, const Image& mask) {
  if (mask.width != image.width || mask.height != image.height || mask.channels != 1)
    throw std::invalid_argument("fill_from_surroundings: the mask is not one channel of its size");
  const int w = image.width, h = image.height;
  std::vector<std::size_t> inside, border;  // masked pixels; unmasked pixels next to one
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const bool in = mask.at(x, y) != 0;
      bool beside = false;
      for (int d = 0; d < 4; ++d) {
        const int nx = x + kDx[d], ny = y + kDy[d];
        if (nx >= 0 && ny >= 0 && nx < w && ny < h) beside |= (mask.at(nx, ny) != 0) != in;
      }
      const std::size_t i = static_cast<std::size_t>(y) * w + x;
      if (in)
        inside.push_back(i);
      else if (beside)
        border.push_back(i);
    }
  Image out = image;
  std::vector<double> v(static_cast<std::size_t>(w) * h);
  for (int c = 0; c < image.channels; ++c) {
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = image.pixels[i * image.channels + c];
    double start = 0;
    for (std::size_t i : border) start += v[i] / border.size();
    solve_channel(v, inside, w, h, start);
    for (std::size_t i : inside)
      out.pixels[i * image.channels + c] =
          static_cast<std::uint8_t>(std::clamp(std::lround(v[i]), 0L, 255L));
  }
  return out;
}

}  // namespace braincam::data
