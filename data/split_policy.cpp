#include "data/split_policy.h"

#include <map>

#include "data/data_error.h"

namespace braincam::data {
namespace {

unsigned side_bit(DatasetSide side) { return 1u << static_cast<unsigned>(side); }

constexpr unsigned kBothSides = (1u << static_cast<unsigned>(DatasetSide::training)) |
                                (1u << static_cast<unsigned>(DatasetSide::testing));

SplitPlan split_by_folders(const SplitInput& in, const SplitPlanOptions& o) {
  const std::size_t n = in.groups.size();
  std::map<std::string, unsigned> sides_of_group;
  for (std::size_t i = 0; i < n; ++i) {
    if (in.sides[i] == DatasetSide::none)
      throw DataError("--split-policy folders: " + in.paths[i] +
                      " is in neither a Training nor a Testing folder");
    sides_of_group[in.groups[i]] |= side_bit(in.sides[i]);
  }
  SplitPlan plan;
  plan.groups = in.groups;
  plan.splits.assign(n, Split::test);
  for (const auto& [group, sides] : sides_of_group) plan.straddling_groups += sides == kBothSides;
  // The training side, split into train and val by the group rule in the ratio train : val.
  std::vector<std::size_t> training;
  for (std::size_t i = 0; i < n; ++i) {
    const bool straddles = sides_of_group[in.groups[i]] == kBothSides;
    if (straddles && in.sides[i] == DatasetSide::testing) ++plan.straddling_test_files;
    const bool moved = straddles && o.straddling == StraddlingGroups::to_training;
    if (in.sides[i] == DatasetSide::training || moved) training.push_back(i);
  }
  if (training.empty() || training.size() == n)
    throw DataError(std::string("--split-policy folders: no image is in a ") +
                    (training.empty() ? "Training" : "Testing") + " folder");
  std::vector<int> strata;
  std::vector<std::string> groups;
  for (std::size_t i : training) {
    strata.push_back(in.strata[i]);
    groups.push_back(in.groups[i]);
  }
  const double train_share = o.fractions.train / (o.fractions.train + o.fractions.val);
  const std::vector<Split> s =
      assign_splits(strata, groups, o.seed, {train_share, 1 - train_share});
  for (std::size_t k = 0; k < training.size(); ++k) plan.splits[training[k]] = s[k];
  return plan;
}

}  // namespace

std::string_view policy_name(SplitPolicy policy) {
  switch (policy) {
    case SplitPolicy::grouped:
      return "grouped";
    case SplitPolicy::folders:
      return "folders";
    case SplitPolicy::per_file:
      return "per-file";
  }
  return "?";
}

SplitPolicy policy_from_name(std::string_view name) {
  for (SplitPolicy p : {SplitPolicy::grouped, SplitPolicy::folders, SplitPolicy::per_file})
    if (policy_name(p) == name) return p;
  throw DataError("--split-policy: unknown policy '" + std::string(name) +
                  "' (expected grouped, folders or per-file)");
}

SplitPlan plan_splits(const SplitInput& in, const SplitPlanOptions& o) {
  if (o.policy == SplitPolicy::folders) return split_by_folders(in, o);
  SplitPlan plan;
  plan.groups = o.policy == SplitPolicy::per_file ? in.paths : in.groups;
  plan.splits = assign_splits(in.strata, plan.groups, o.seed, o.fractions);
  return plan;
}

}  // namespace braincam::data
