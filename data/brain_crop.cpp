#include "data/brain_crop.h"

#include <algorithm>
#include <cstdlib>

#include "data/data_error.h"

namespace braincam::data {
namespace {

// OpenCV's BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba), the default border of GaussianBlur.
int reflect101(int p, int n) {
  if (n == 1) return 0;
  while (p < 0 || p >= n) p = p < 0 ? -p : 2 * n - 2 - p;
  return p;
}

// GaussianBlur((5,5), sigma 0) on 8-bit data: OpenCV uses the tabulated kernel [1 4 6 4 1]/16
// in exact fixed point and rounds once at the end.
std::vector<std::uint8_t> gaussian_blur5(const std::vector<std::uint8_t>& src, int w, int h) {
  static constexpr int k[5] = {1, 4, 6, 4, 1};
  std::vector<int> horizontal(src.size());
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      int s = 0;
      for (int i = 0; i < 5; ++i)
        s += k[i] * src[static_cast<std::size_t>(y) * w + reflect101(x + i - 2, w)];
      horizontal[static_cast<std::size_t>(y) * w + x] = s;
    }
  std::vector<std::uint8_t> out(src.size());
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      int s = 0;
      for (int i = 0; i < 5; ++i)
        s += k[i] * horizontal[static_cast<std::size_t>(reflect101(y + i - 2, h)) * w + x];
      out[static_cast<std::size_t>(y) * w + x] = static_cast<std::uint8_t>((s + 128) >> 8);
    }
  return out;
}

// Two iterations of a 3×3 erosion (or dilation) equal one 5×5 pass. Pixels outside the image
// are ignored, as with OpenCV's default morphology border value.
std::vector<std::uint8_t> morph5(const std::vector<std::uint8_t>& src, int w, int h, bool erode) {
  auto pick = [erode](std::uint8_t a, std::uint8_t b) {
    return erode ? std::min(a, b) : std::max(a, b);
  };
  std::vector<std::uint8_t> rows(src.size()), out(src.size());
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint8_t v = src[static_cast<std::size_t>(y) * w + x];
      for (int xx = std::max(0, x - 2); xx <= std::min(w - 1, x + 2); ++xx)
        v = pick(v, src[static_cast<std::size_t>(y) * w + xx]);
      rows[static_cast<std::size_t>(y) * w + x] = v;
    }
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint8_t v = rows[static_cast<std::size_t>(y) * w + x];
      for (int yy = std::max(0, y - 2); yy <= std::min(h - 1, y + 2); ++yy)
        v = pick(v, rows[static_cast<std::size_t>(yy) * w + x]);
      out[static_cast<std::size_t>(y) * w + x] = v;
    }
  return out;
}

// The 8 neighbours in clockwise order (image y grows downwards), starting east.
constexpr int kDx[8] = {1, 1, 0, -1, -1, -1, 0, 1};
constexpr int kDy[8] = {0, 1, 1, 1, 0, -1, -1, -1};

// The area that cv2.contourArea gives for the outer border that findContours traces from the
// component's first pixel in raster order (Suzuki–Abe border following; CHAIN_APPROX_SIMPLE
// only drops points on straight runs, which leaves the shoelace area unchanged).
double outer_contour_area(const std::vector<std::uint8_t>& mask, int w, int h, int sx, int sy) {
  auto on = [&](int x, int y) {
    return x >= 0 && y >= 0 && x < w && y < h && mask[static_cast<std::size_t>(y) * w + x] != 0;
  };
  auto dir_of = [](int dx, int dy) {
    for (int d = 0; d < 8; ++d)
      if (kDx[d] == dx && kDy[d] == dy) return d;
    return 0;
  };
  // Step 3.1: from the west neighbour, search clockwise for the first foreground neighbour.
  int first = -1;
  for (int i = 0; i < 8; ++i) {
    const int d = (4 + i) % 8;
    if (on(sx + kDx[d], sy + kDy[d])) {
      first = d;
      break;
    }
  }
  if (first < 0) return 0.0;  // an isolated pixel
  const int x1 = sx + kDx[first], y1 = sy + kDy[first];
  int px = x1, py = y1;  // (i2, j2): the previous border point
  int cx = sx, cy = sy;  // (i3, j3): the current border point
  double twice_area = 0.0;
  while (true) {
    // Step 3.3: from the neighbour after the previous point, search counter-clockwise.
    const int back = dir_of(px - cx, py - cy);
    int nx = cx, ny = cy;
    for (int i = 1; i <= 8; ++i) {
      const int d = (back - i + 16) % 8;
      if (on(cx + kDx[d], cy + kDy[d])) {
        nx = cx + kDx[d];
        ny = cy + kDy[d];
        break;
      }
    }
    twice_area += static_cast<double>(cx) * ny - static_cast<double>(nx) * cy;
    if (nx == sx && ny == sy && cx == x1 && cy == y1) break;
    px = cx;
    py = cy;
    cx = nx;
    cy = ny;
  }
  return std::abs(twice_area) / 2.0;
}

}  // namespace

std::vector<std::uint8_t> to_gray(const Image& image) {
  std::vector<std::uint8_t> gray(static_cast<std::size_t>(image.width) * image.height);
  for (std::size_t i = 0; i < gray.size(); ++i) {
    const std::uint8_t* p = image.pixels.data() + i * image.channels;
    gray[i] = image.channels < 3 ? p[0]
                                 : static_cast<std::uint8_t>(
                                       (p[0] * 4899 + p[1] * 9617 + p[2] * 1868 + (1 << 13)) >> 14);
  }
  return gray;
}

std::vector<std::uint8_t> brain_mask(const Image& image) {
  const int w = image.width, h = image.height;
  std::vector<std::uint8_t> m = gaussian_blur5(to_gray(image), w, h);
  for (auto& v : m) v = v > kBrainThreshold ? 255 : 0;
  return morph5(morph5(m, w, h, true), w, h, false);
}

BrainCrop find_brain_box(const Image& image) {
  const int w = image.width, h = image.height;
  const std::vector<std::uint8_t> mask = brain_mask(image);
  BrainCrop best;
  best.box = {0, 0, w, h};
  double best_area = -1.0;
  std::vector<int> label(mask.size(), 0);
  std::vector<std::pair<int, int>> stack;
  int next_label = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const std::size_t i = static_cast<std::size_t>(y) * w + x;
      if (!mask[i] || label[i]) continue;
      const double area = outer_contour_area(mask, w, h, x, y);
      // Flood the 8-connected component: its extreme pixels are its outer contour's extremes.
      CropBox box{x, y, x, y};
      label[i] = ++next_label;
      stack.assign(1, {x, y});
      while (!stack.empty()) {
        const auto [qx, qy] = stack.back();
        stack.pop_back();
        box.x0 = std::min(box.x0, qx);
        box.x1 = std::max(box.x1, qx);
        box.y0 = std::min(box.y0, qy);
        box.y1 = std::max(box.y1, qy);
        for (int d = 0; d < 8; ++d) {
          const int nx = qx + kDx[d], ny = qy + kDy[d];
          if (nx < 0 || ny < 0 || nx >= w || ny >= h) continue;
          const std::size_t j = static_cast<std::size_t>(ny) * w + nx;
          if (mask[j] && !label[j]) {
            label[j] = next_label;
            stack.push_back({nx, ny});
          }
        }
      }
      // findContours lists contours last-found first and Python's max keeps the first maximum,
      // so among equal areas the component found last in raster order wins.
      if (area >= best_area) {
        best_area = area;
        best.box = box;
      }
    }
  best.found = best_area >= 0.0 && best.box.width() > 0 && best.box.height() > 0;
  if (!best.found) best.box = {0, 0, w, h};
  return best;
}

Image crop(const Image& image, const CropBox& box) {
  if (box.x0 < 0 || box.y0 < 0 || box.x1 > image.width || box.y1 > image.height ||
      box.width() <= 0 || box.height() <= 0)
    throw DataError("crop box outside the image");
  Image out(box.width(), box.height(), image.channels);
  const std::size_t row_bytes = static_cast<std::size_t>(box.width()) * image.channels;
  for (int y = 0; y < out.height; ++y)
    std::copy_n(image.row(box.y0 + y) + static_cast<std::size_t>(box.x0) * image.channels,
                row_bytes, out.row(y));
  return out;
}

}  // namespace braincam::data
