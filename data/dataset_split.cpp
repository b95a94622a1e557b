#include "data/dataset_split.h"

#include <map>

#include "base/random.h"
#include "data/data_error.h"

namespace braincam::data {

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

std::vector<Split> assign_splits(const std::vector<int>& strata,
                                 const std::vector<std::string>& groups, std::uint64_t seed,
                                 SplitFractions fractions) {
  if (strata.size() != groups.size())
    throw DataError("assign_splits: strata and groups differ in length");
  std::vector<Split> out(strata.size(), Split::train);
  std::map<std::string, int> stratum_of_group;
  for (std::size_t i = 0; i < strata.size(); ++i) stratum_of_group.emplace(groups[i], strata[i]);
  // stratum -> (group -> members), in sorted group order so the input order does not matter.
  std::map<int, std::map<std::string, std::vector<std::size_t>>> by_class;
  for (std::size_t i = 0; i < strata.size(); ++i)
    by_class[stratum_of_group[groups[i]]][groups[i]].push_back(i);
  for (auto& [stratum, members_of] : by_class) {
    std::vector<const std::vector<std::size_t>*> order;
    std::size_t total = 0;
    for (const auto& [name, members] : members_of) {
      order.push_back(&members);
      total += members.size();
    }
    Rng rng(seed, 0x5B117 + static_cast<std::uint64_t>(stratum));
    shuffle(order, rng);
    std::size_t start = 0;
    for (const auto* members : order) {
      const double mid =
          (static_cast<double>(start) + members->size() / 2.0) / static_cast<double>(total);
      const Split s = mid < fractions.train                   ? Split::train
                      : mid < fractions.train + fractions.val ? Split::val
                                                              : Split::test;
      for (std::size_t i : *members) out[i] = s;
      start += members->size();
    }
  }
  return out;
}

}  // namespace braincam::data
