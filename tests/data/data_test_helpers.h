#pragma once
// Shared by the data tests: a fresh temporary folder per test, small images, prepare options.
#include <unistd.h>

#include <filesystem>
#include <string>

#include "base/random.h"
#include "data/image.h"
#include "data/image_codec.h"
#include "data/prepare_dataset.h"

namespace braincam::data::test {

class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("braincam_data_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A gray "head": a bright ellipse with a darker inside on a dark background, optionally shifted.
inline Image head_image(int w, int h, int cx, int cy, int rx, int ry, std::uint8_t level = 180) {
  Image im(w, h, 3, 5);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const double dx = double(x - cx) / rx, dy = double(y - cy) / ry;
      const double d = dx * dx + dy * dy;
      const std::uint8_t v = d <= 1.0 ? (d > 0.8 ? level : std::uint8_t(level * 0.6)) : 5;
      for (int c = 0; c < 3; ++c) im.at(x, y, c) = v;
    }
  return im;
}

// A head whose inside is a pattern of 10-pixel blocks drawn from `seed`: images of different
// seeds are different scans to the perceptual hash, whatever their size.
inline Image patterned_head(int w, int h, std::uint64_t seed) {
  Image im = head_image(w, h, w / 2, h / 2, w * 2 / 5, h * 2 / 5);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      if (im.at(x, y) != 108) continue;  // the inside of head_image's ellipse (180 · 0.6)
      Rng rng(seed, static_cast<std::uint64_t>(y / 10), static_cast<std::uint64_t>(x / 10));
      for (int c = 0; c < 3; ++c) im.at(x, y, c) = static_cast<std::uint8_t>(60 + rng.below(180));
    }
  return im;
}

inline void write_png(const std::filesystem::path& p, const Image& im) {
  std::filesystem::create_directories(p.parent_path());
  write_image_file(p, im);
}

// "<prefix><i><suffix>", built by appending: GCC 12 gives false -Wrestrict warnings on
// `"literal" + std::to_string(i) + ...`.
inline std::string numbered(const char* prefix, int i, const char* suffix = "") {
  std::string s(prefix);
  s.append(std::to_string(i)).append(suffix);
  return s;
}

// The four-class layout with Training/ and Testing/: 8 and 3 patterned heads per class, every
// image a scan of its own to the perceptual hash. Files are <side>/<class>/Tr-<i>.png, Te-<i>.png.
inline void write_four_class_layout(const std::filesystem::path& root) {
  std::uint64_t seed = 1;
  for (const char* name : {"glioma", "meningioma", "pituitary", "notumor"}) {
    for (int i = 0; i < 8; ++i)
      write_png(root / "Training" / name / numbered("Tr-", i, ".png"),
                patterned_head(64 + i, 70, seed++));
    for (int i = 0; i < 3; ++i)
      write_png(root / "Testing" / name / numbered("Te-", i, ".png"),
                patterned_head(64 + i, 70, seed++));
  }
}

inline PrepareOptions prepare_options(const std::filesystem::path& data,
                                      const std::filesystem::path& cache, std::uint64_t seed) {
  PrepareOptions o;
  o.data_dir = data;
  o.cache_dir = cache;
  o.split.seed = seed;
  return o;
}

}  // namespace braincam::data::test
