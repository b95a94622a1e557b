#pragma once
// The 70/15/15 split, stratified by class and grouped by source: every image of a group goes to
// the same split, so augmented copies of one scan never sit on both sides of the evaluation.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace braincam::data {

enum class Split : std::uint8_t { train = 0, val = 1, test = 2 };

std::string_view split_name(Split s);
Split split_from_name(std::string_view name);  // throws DataError for unknown names

struct SplitFractions {
  double train = 0.70;
  double val = 0.15;  // test gets the rest
};

// The images of each stratum (a label, or a finer class) grouped by source: stratum -> the
// members of each group, the groups in an order shuffled with Rng(seed, stream + stratum). A group
// whose images differ in stratum follows its first image. (The split and the folds of
// data/kfold.h.)
using ClassGroups = std::map<int, std::vector<std::vector<std::size_t>>>;
ClassGroups shuffled_class_groups(const std::vector<int>& strata,
                                  const std::vector<std::string>& groups, std::uint64_t seed,
                                  std::uint64_t stream);

// For each stratum, the groups are shuffled with a generator seeded from (seed, stratum) and laid
// end to end; a group goes to the split whose share of the stratum holds the group's midpoint.
std::vector<Split> assign_splits(const std::vector<int>& strata,
                                 const std::vector<std::string>& groups, std::uint64_t seed,
                                 SplitFractions fractions = {});

}  // namespace braincam::data
