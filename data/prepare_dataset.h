#pragma once
// `braincam prepare`: dataset folder → CACHE/{images.bin, manifest.csv, eda.json}.
// list class folders → decode and preprocess every file (bad files are skipped with a reason)
// → group by source → stratified grouped split → manifest, cache, EDA. When the cache already
// holds the same sources and settings (its fingerprint), nothing is rebuilt.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "data/dataset_split.h"
#include "data/image_codec.h"

namespace braincam::data {

struct PrepareOptions {
  std::filesystem::path data_dir;
  std::filesystem::path cache_dir;
  std::uint64_t seed = 42;
  SplitFractions fractions{};
  bool force = false;  // rebuild even when the fingerprint matches
  DecodeLimits limits{};
};

struct PrepareReport {
  bool rebuilt = false;
  std::uint64_t fingerprint = 0;
  nlohmann::json eda;  // the content of eda.json
};

// Throws DataError when the cache folder is the dataset folder or inside it.
PrepareReport prepare_dataset(const PrepareOptions& options);

}  // namespace braincam::data
