#pragma once
// Exploratory data analysis of a prepared dataset: class counts and balance per split (with the
// seed's class-balance check: a warning when a split is more unbalanced than 60/40), counts per
// class name, the split policy and what it did, image sizes, source formats, intensities, crops,
// source groups (duplicates, near duplicates) and decode failures. The same facts go to
// CACHE/eda.json and to a table for the terminal.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "data/manifest.h"
#include "data/skipped_file.h"
#include "data/source_group.h"
#include "data/split_policy.h"

namespace braincam::data {

struct ImageStats {
  double gray_mean = 0.0;  // of the original image, 0..255
  double gray_std = 0.0;
  double input_mean[3] = {0, 0, 0};  // of the 240×240 model input, 0..1
  int source_channels = 3;
  bool sixteen_bit = false;
  bool brain_found = true;
};

inline constexpr double kMaxClassShare = 0.60;  // the balance check's limit

struct EdaInput {
  const std::vector<ManifestRow>& rows;
  const std::vector<ImageStats>& stats;  // parallel to rows
  const std::vector<SkippedFile>& skipped;
  const Grouping& grouping;
  const SplitPlan& plan;
  const SplitPlanOptions& split;
};

nlohmann::json make_eda(const EdaInput& in);
// The human-readable summary of an eda.json document.
std::string eda_table(const nlohmann::json& eda);

}  // namespace braincam::data
