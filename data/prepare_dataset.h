#pragma once
// `braincam prepare`: dataset folder → CACHE/{images.bin, manifest.csv, eda.json}.
// list class folders → decode and preprocess every file (bad files are skipped with a reason)
// → group by source, identical and near-identical pixels → split by the chosen policy
// (data/split_policy.h), stratified by class → manifest, cache, EDA. When the cache already
// holds the same sources and settings (its fingerprint), nothing is rebuilt.
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "data/image_codec.h"
#include "data/input_background.h"
#include "data/source_group.h"
#include "data/split_policy.h"

namespace braincam::data {

struct PrepareOptions {
  std::filesystem::path data_dir;
  std::filesystem::path cache_dir;
  SplitPlanOptions split{};  // policy, seed and fractions
  GroupingOptions grouping{};
  Background background = Background::keep;  // what the cached inputs keep around the head
  bool force = false;                        // rebuild even when the fingerprint matches
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
