#include "data/brain_region.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "data/brain_crop.h"

namespace braincam::data {
namespace {

// Marks (1) the pixels off `mask` that connect to the image's border through pixels off `mask`
// (4-connected): the background. Holes enclosed by the mask stay 0.
std::vector<std::uint8_t> outside(const std::vector<std::uint8_t>& mask, int w, int h) {
  std::vector<std::uint8_t> reached(mask.size(), 0);
  std::vector<std::pair<int, int>> stack;
  const auto visit = [&](int x, int y) {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    const std::size_t i = static_cast<std::size_t>(y) * w + x;
    if (mask[i] || reached[i]) return;
    reached[i] = 1;
    stack.push_back({x, y});
  };
  for (int x = 0; x < w; ++x) visit(x, 0), visit(x, h - 1);
  for (int y = 0; y < h; ++y) visit(0, y), visit(w - 1, y);
  while (!stack.empty()) {
    const auto [x, y] = stack.back();
    stack.pop_back();
    visit(x + 1, y), visit(x - 1, y), visit(x, y + 1), visit(x, y - 1);
  }
  return reached;
}

}  // namespace

std::vector<std::uint8_t> brain_region(const Image& image) {
  std::vector<std::uint8_t> region = outside(brain_mask(image), image.width, image.height);
  for (auto& v : region) v = !v;
  return region;
}

Image keep_region(const Image& image, const std::vector<std::uint8_t>& region, RegionKept kept) {
  const std::size_t pixels = static_cast<std::size_t>(image.width) * image.height;
  if (region.size() != pixels) throw std::invalid_argument("keep_region: region of another size");
  Image out = image;
  const bool keep_inside = kept == RegionKept::brain;
  for (std::size_t i = 0; i < pixels; ++i)
    if ((region[i] != 0) != keep_inside)
      std::fill_n(out.pixels.begin() + i * image.channels, image.channels, 0);
  return out;
}

}  // namespace braincam::data
