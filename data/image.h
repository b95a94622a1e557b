#pragma once
// An 8-bit image with interleaved channels (1 = gray, 3 = RGB), rows top to bottom.
#include <cstdint>
#include <vector>

namespace braincam::data {

struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<std::uint8_t> pixels;  // height × width × channels

  Image() = default;
  Image(int w, int h, int c, std::uint8_t fill = 0)
      : width(w), height(h), channels(c), pixels(static_cast<std::size_t>(w) * h * c, fill) {}

  bool empty() const { return pixels.empty(); }
  std::uint8_t* row(int y) {
    return pixels.data() + static_cast<std::size_t>(y) * width * channels;
  }
  const std::uint8_t* row(int y) const {
    return pixels.data() + static_cast<std::size_t>(y) * width * channels;
  }
  std::uint8_t& at(int x, int y, int c = 0) { return row(y)[x * channels + c]; }
  std::uint8_t at(int x, int y, int c = 0) const { return row(y)[x * channels + c]; }
};

}  // namespace braincam::data
