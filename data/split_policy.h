#pragma once
// How `braincam prepare --split-policy` makes the train / val / test split:
//   grouped   the stratified split grouped by source (data/dataset_split.h) over all images;
//   folders   the dataset's own split: Testing/ is the test split, validation is carved from
//             Training/ by the group rule. Groups with images on both sides (copies of one scan
//             in Training/ and Testing/) are reported and, by default, moved whole to the
//             training side so that copies cannot inflate a test figure;
//   per-file  every file split on its own: the seed's protocol, which splits after augmenting,
//             so copies of one scan land in train and test. Its test figures are inflated.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data/class_folders.h"
#include "data/dataset_split.h"

namespace braincam::data {

enum class SplitPolicy : std::uint8_t { grouped, folders, per_file };

std::string_view policy_name(SplitPolicy policy);  // "grouped", "folders", "per-file"
// Throws DataError naming --split-policy for an unknown name.
SplitPolicy policy_from_name(std::string_view name);

// What `folders` does with a group that has images in both Training/ and Testing/.
enum class StraddlingGroups : std::uint8_t {
  to_training,  // the whole group joins the training side (train or val by the group rule)
  keep,         // each image stays where the dataset put it (copies in train and test)
};

struct SplitInput {
  const std::vector<int>& strata;  // per image: what the split is stratified by (label, class)
  const std::vector<std::string>& groups;
  const std::vector<DatasetSide>& sides;  // where the dataset's own folders put each image
  const std::vector<std::string>& paths;  // named in errors
};

struct SplitPlanOptions {
  SplitPolicy policy = SplitPolicy::grouped;
  StraddlingGroups straddling = StraddlingGroups::to_training;
  std::uint64_t seed = 42;
  SplitFractions fractions{};  // with `folders`, train : val is kept and Testing/ is the test
};

struct SplitPlan {
  std::vector<Split> splits;
  std::vector<std::string> groups;  // the groups used: per-file gives every file its own
  std::size_t straddling_groups = 0;
  std::size_t straddling_test_files = 0;  // their images in Testing/ (moved unless kept)
};

// Throws DataError for `folders` when an image is in neither a Training nor a Testing folder
// (naming it), or when either side is empty.
SplitPlan plan_splits(const SplitInput& input, const SplitPlanOptions& options);

}  // namespace braincam::data
