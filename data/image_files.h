#pragma once
// The image files named on a command line (what `braincam predict` reads): files as given, and
// folders searched at any depth for files with an image extension (.jpg, .jpeg, .png, .bmp, .gif,
// in any case), sorted per folder given. Symbolic links are followed as data/folder_walk.h says.
#include <filesystem>
#include <string>
#include <vector>

#include "data/skipped_file.h"

namespace braincam::data {

struct ImageFiles {
  std::vector<std::filesystem::path> files;
  std::vector<SkippedFile> skipped;  // broken links, link loops, folders reached twice
};

ImageFiles list_image_files(const std::vector<std::string>& inputs);

}  // namespace braincam::data
