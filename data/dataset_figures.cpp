#include "data/dataset_figures.h"

#include <algorithm>

#include "data/data_error.h"
#include "data/dataset_cache.h"
#include "data/image_codec.h"
#include "data/preprocess.h"
#include "data/resize_bicubic.h"

namespace braincam::data {
namespace fs = std::filesystem;
namespace {

// "<prefix><i><suffix>", built by appending (GCC 12 misreports operator+ chains here).
std::string numbered(const char* prefix, int i, const char* suffix) {
  std::string s(prefix);
  s.append(std::to_string(i)).append(suffix);
  return s;
}

Image gray_of(const Image& image) {
  if (image.channels == 1) return image;
  Image g(image.width, image.height, 1);
  g.pixels = to_gray(image);
  return g;
}

}  // namespace

Image contact_sheet(const std::vector<Image>& tiles, int columns, int tile) {
  const int rows = static_cast<int>((tiles.size() + columns - 1) / columns);
  Image sheet(columns * tile, rows * tile, 1);
  for (std::size_t t = 0; t < tiles.size(); ++t) {
    const Image src = gray_of(tiles[t]);
    const double scale = std::min(static_cast<double>(tile - 4) / src.width,
                                  static_cast<double>(tile - 4) / src.height);
    const int w = std::max(1, static_cast<int>(src.width * scale)),
              h = std::max(1, static_cast<int>(src.height * scale));
    const Image small = resize_bicubic(src, w, h);
    const int x0 = static_cast<int>(t % columns) * tile + (tile - w) / 2;
    const int y0 = static_cast<int>(t / columns) * tile + (tile - h) / 2;
    for (int y = 0; y < h; ++y) std::copy_n(small.row(y), w, sheet.row(y0 + y) + x0);
  }
  return sheet;
}

void draw_box(Image& gray, const CropBox& box, int thickness) {
  for (int y = std::max(0, box.y0 - thickness); y < std::min(gray.height, box.y1 + thickness); ++y)
    for (int x = std::max(0, box.x0 - thickness); x < std::min(gray.width, box.x1 + thickness);
         ++x) {
      const bool inside = x >= box.x0 && x < box.x1 && y >= box.y0 && y < box.y1;
      const bool near_edge = x - box.x0 < thickness || box.x1 - 1 - x < thickness ||
                             y - box.y0 < thickness || box.y1 - 1 - y < thickness;
      if (!inside)
        gray.at(x, y) = 0;
      else if (near_edge)
        gray.at(x, y) = 255;
    }
}

void draw_mask_outline(Image& gray, const Image& mask, int thickness) {
  Image marked = gray;
  for (int y = 0; y < mask.height; ++y)
    for (int x = 0; x < mask.width; ++x) {
      const bool in = mask.at(x, y) != 0;
      bool edge = false;  // a pixel of the other kind within `thickness`
      for (int dy = -thickness; dy <= thickness && !edge; ++dy)
        for (int dx = -thickness; dx <= thickness && !edge; ++dx) {
          const int xx = x + dx, yy = y + dy;
          edge = xx >= 0 && yy >= 0 && xx < mask.width && yy < mask.height &&
                 (mask.at(xx, yy) != 0) != in;
        }
      if (edge) marked.at(x, y) = in ? 255 : 0;
    }
  gray = std::move(marked);
}

void write_prepare_figure(const fs::path& cache_dir, const fs::path& png,
                          const DecodeLimits& limits) {
  const DatasetCache cache = DatasetCache::open(cache_dir);
  std::vector<Image> tiles;
  for (int label : {1, 0}) {
    int shown = 0;
    for (std::size_t i = 0; i < cache.size() && shown < 2; ++i) {
      const ManifestRow& r = cache.entry(i);
      if (r.label != label) continue;
      const Image rgb = read_image_file(cache.data_dir() / r.path, limits).rgb;
      const Image cropped = crop(rgb, r.box);
      Image original = gray_of(rgb);
      draw_box(original, r.box, std::max(1, std::max(original.width, original.height) / 100));
      Image input(kInputSize, kInputSize, kInputChannels);
      std::copy_n(cache.pixels(i), input.pixels.size(), input.pixels.data());
      tiles.push_back(std::move(original));
      tiles.push_back(cropped);
      tiles.push_back(std::move(input));
      ++shown;
    }
  }
  write_image_file(png, contact_sheet(tiles, 3, 104));
}

void write_synth_figure(const fs::path& synth_dir, const fs::path& png) {
  std::vector<Image> tumor, outlined, healthy;
  for (int i = 1; i <= 4; ++i) {
    const fs::path y = synth_dir / "yes" / numbered("Y", i, ".jpg");
    const fs::path n = synth_dir / "no" / numbered("N", i, ".jpg");
    const fs::path m = synth_dir / "masks" / "yes" / numbered("Y", i, ".png");
    if (!fs::exists(y) || !fs::exists(n))
      throw DataError(synth_dir, "needs at least 4 images of each class");
    tumor.push_back(gray_of(read_image_file(y).rgb));
    Image with_outline = tumor.back();
    draw_mask_outline(with_outline, gray_of(read_image_file(m).rgb),
                      std::max(1, with_outline.width / 120));
    outlined.push_back(std::move(with_outline));
    healthy.push_back(read_image_file(n).rgb);
  }
  std::vector<Image> tiles = tumor;
  tiles.insert(tiles.end(), outlined.begin(), outlined.end());
  tiles.insert(tiles.end(), healthy.begin(), healthy.end());
  write_image_file(png, contact_sheet(tiles, 4, 104));
}

}  // namespace braincam::data
