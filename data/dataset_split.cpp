#include "data/dataset_split.h"

#include <map>

#include "base/random.h"
#include "data/data_error.h"

namespace braincam::data {

namespace {
// The stream of Rng(seed, stream + stratum) that orders a stratum's groups for the split.
constexpr std::uint64_t kSplitStream = 0x5B117;
}  // namespace

std::string_view split_name(Split s) {
  switch (s) {
    case Split::train:
      return "train";
    case Split::val:
      return "val";
    case Split::test:
      return "test";
  }
  return "?";
}

Split split_from_name(std::string_view name) {
  if (name == "train") return Split::train;
  if (name == "val") return Split::val;
  if (name == "test") return Split::test;
  throw DataError("unknown split '" + std::string(name) + "' (expected train, val or test)");
}

ClassGroups shuffled_class_groups(const std::vector<int>& strata,
                                  const std::vector<std::string>& groups, std::uint64_t seed,
                                  std::uint64_t stream) {
  if (strata.size() != groups.size())
    throw DataError("the strata and groups of the images differ in length");
  std::map<std::string, int> stratum_of_group;
  for (std::size_t i = 0; i < strata.size(); ++i) stratum_of_group.emplace(groups[i], strata[i]);
  // stratum -> (group -> members), in sorted group order so the input order does not matter.
  std::map<int, std::map<std::string, std::vector<std::size_t>>> by_class;
  for (std::size_t i = 0; i < strata.size(); ++i)
    by_class[stratum_of_group[groups[i]]][groups[i]].push_back(i);
  ClassGroups out;
  for (auto& [stratum, members_of] : by_class) {
    std::vector<std::vector<std::size_t>>& order = out[stratum];
    for (auto& [name, members] : members_of) order.push_back(std::move(members));
    Rng rng(seed, stream + static_cast<std::uint64_t>(stratum));
    shuffle(order, rng);
  }
  return out;
}

std::vector<Split> assign_splits(const std::vector<int>& strata,
                                 const std::vector<std::string>& groups, std::uint64_t seed,
                                 SplitFractions fractions) {
  std::vector<Split> out(strata.size(), Split::train);
  for (const auto& [stratum, order] : shuffled_class_groups(strata, groups, seed, kSplitStream)) {
    std::size_t total = 0;
    for (const auto& members : order) total += members.size();
    std::size_t start = 0;
    for (const auto& members : order) {
      const double mid =
          (static_cast<double>(start) + members.size() / 2.0) / static_cast<double>(total);
      const Split s = mid < fractions.train                   ? Split::train
                      : mid < fractions.train + fractions.val ? Split::val
                                                              : Split::test;
      for (std::size_t i : members) out[i] = s;
      start += members.size();
    }
  }
  return out;
}

}  // namespace braincam::data
