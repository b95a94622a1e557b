#pragma once
// CACHE/manifest.csv: one row per cached image, in cache order, with the header
//   path,label,class,split,group,x0,y0,x1,y1,width,height
// path relative to the dataset folder ('/' separated), label 1 tumor / 0 none, the class name
// of the multiclass model (data/class_folders.h: glioma, notumor, yes ...), split
// train|val|test, the source group, the crop box as the seed's slice image[y0:y1, x0:x1], and the
// original width and height. Fields with commas, quotes or line breaks are quoted (RFC 4180).
#include <filesystem>
#include <string>
#include <vector>

#include "data/brain_crop.h"
#include "data/dataset_split.h"

namespace braincam::data {

struct ManifestRow {
  std::string path;
  int label = 0;
  std::string class_name;
  Split split = Split::train;
  std::string group;
  CropBox box;
  int width = 0;
  int height = 0;
};

inline constexpr const char* kManifestHeader =
    "path,label,class,split,group,x0,y0,x1,y1,width,height";

std::string format_manifest(const std::vector<ManifestRow>& rows);
void write_manifest(const std::filesystem::path& file, const std::vector<ManifestRow>& rows);
// Throws DataError naming the file and line for a wrong header or a malformed row.
std::vector<ManifestRow> read_manifest(const std::filesystem::path& file);

}  // namespace braincam::data
