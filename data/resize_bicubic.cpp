#include "data/resize_bicubic.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "data/data_error.h"

namespace braincam::data {
namespace {

constexpr int kCoefBits = 11;  // OpenCV's INTER_RESIZE_COEF_BITS

struct Taps {
  std::vector<std::array<int, 4>> index;   // clamped source positions
  std::vector<std::array<int, 4>> weight;  // fixed-point weights, scale 2^11
};

Taps make_taps(int src_size, int dst_size) {
  const double scale = static_cast<double>(src_size) / dst_size;
  Taps t;
  t.index.resize(dst_size);
  t.weight.resize(dst_size);
  for (int d = 0; d < dst_size; ++d) {
    float f = static_cast<float>((d + 0.5) * scale - 0.5);
    const int s = static_cast<int>(std::floor(f));
    f -= static_cast<float>(s);
    const float a = -0.75f;
    float c[4];
    c[0] = ((a * (f + 1) - 5 * a) * (f + 1) + 8 * a) * (f + 1) - 4 * a;
    c[1] = ((a + 2) * f - (a + 3)) * f * f + 1;
    c[2] = ((a + 2) * (1 - f) - (a + 3)) * (1 - f) * (1 - f) + 1;
    c[3] = 1.f - c[0] - c[1] - c[2];
    for (int k = 0; k < 4; ++k) {
      t.index[d][k] = std::clamp(s - 1 + k, 0, src_size - 1);
      t.weight[d][k] = static_cast<int>(std::lrint(c[k] * (1 << kCoefBits)));
    }
  }
  return t;
}

}  // namespace

Image resize_bicubic(const Image& src, int width, int height) {
  if (src.empty() || width <= 0 || height <= 0) throw DataError("cannot resize an empty image");
  const int cn = src.channels;
  const Taps tx = make_taps(src.width, width), ty = make_taps(src.height, height);
  // Horizontal pass on every source row, then the vertical pass, as OpenCV's two-pass filter.
  std::vector<int> horizontal(static_cast<std::size_t>(src.height) * width * cn);
  for (int y = 0; y < src.height; ++y) {
    const std::uint8_t* row = src.row(y);
    int* out = horizontal.data() + static_cast<std::size_t>(y) * width * cn;
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < cn; ++c) {
        int s = 0;
        for (int k = 0; k < 4; ++k) s += row[tx.index[x][k] * cn + c] * tx.weight[x][k];
        out[x * cn + c] = s;
      }
  }
  Image dst(width, height, cn);
  constexpr int shift = 2 * kCoefBits;
  for (int y = 0; y < height; ++y) {
    std::uint8_t* out = dst.row(y);
    for (int i = 0; i < width * cn; ++i) {
      long long s = 0;
      for (int k = 0; k < 4; ++k)
        s += static_cast<long long>(
                 horizontal[static_cast<std::size_t>(ty.index[y][k]) * width * cn + i]) *
             ty.weight[y][k];
      out[i] = static_cast<std::uint8_t>(
          std::clamp<long long>((s + (1LL << (shift - 1))) >> shift, 0, 255));
    }
  }
  return dst;
}

}  // namespace braincam::data
