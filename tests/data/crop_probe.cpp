// Helper for crop_oracle.py: preprocesses image files as `braincam prepare` does and prints,
// per file, "<x0> <y0> <x1> <y1> <found>", writing the 240×240 input to <out_dir>/<stem>.png.
#include <cstdio>
#include <exception>
#include <filesystem>

#include "data/image_codec.h"
#include "data/preprocess.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUT_DIR IMAGE...\n", argv[0]);
    return 2;
  }
  try {
    for (int i = 2; i < argc; ++i) {
      const std::filesystem::path file = argv[i];
      const braincam::data::Preprocessed p = braincam::data::preprocess_file(file);
      const auto& b = p.crop.box;
      std::printf("%d %d %d %d %d\n", b.x0, b.y0, b.x1, b.y1, p.crop.found ? 1 : 0);
      braincam::data::write_image_file(
          std::filesystem::path(argv[1]) / (file.stem().string() + ".png"), p.input);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "crop_probe: %s\n", e.what());
    return 1;
  }
  return 0;
}
