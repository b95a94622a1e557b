// The split policies: grouped, the dataset's own folders, and the seed's per-file split.
#include "data/split_policy.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "data_test_helpers.h"

using namespace braincam::data;
using braincam::data::test::numbered;

namespace {

// 40 tumor and 30 healthy groups of two images in Training/, 10 and 8 single images in Testing/;
// the last `straddling` tumor groups also have a copy in Testing/.
struct Layout {
  std::vector<int> strata;
  std::vector<std::string> groups, paths;
  std::vector<DatasetSide> sides;

  explicit Layout(int straddling) {
    auto add = [&](int label, const std::string& group, DatasetSide side) {
      strata.push_back(label);
      groups.push_back(group);
      sides.push_back(side);
      paths.push_back((side == DatasetSide::testing ? "Testing/" : "Training/") + group +
                      numbered("_", static_cast<int>(paths.size()), ".jpg"));
    };
    for (int label : {1, 0})
      for (int g = 0; g < (label ? 40 : 30); ++g)
        for (int k = 0; k < 2; ++k)
          add(label, numbered(label ? "y" : "n", g), DatasetSide::training);
    for (int label : {1, 0})
      for (int g = 0; g < (label ? 10 : 8); ++g)
        add(label, numbered(label ? "ty" : "tn", g), DatasetSide::testing);
    for (int g = 40 - straddling; g < 40; ++g) add(1, numbered("y", g), DatasetSide::testing);
  }
  SplitInput input() const { return {strata, groups, sides, paths}; }
};

std::map<Split, int> count(const std::vector<Split>& splits) {
  std::map<Split, int> n;
  for (Split s : splits) ++n[s];
  return n;
}

}  // namespace

TEST_CASE("folders: Testing/ is the test split, validation comes from Training/",
          "[data][split][policy]") {
  const Layout l(0);
  const SplitPlan plan = plan_splits(l.input(), {.policy = SplitPolicy::folders, .seed = 3});
  for (std::size_t i = 0; i < l.paths.size(); ++i)
    CHECK((plan.splits[i] == Split::test) == (l.sides[i] == DatasetSide::testing));
  std::map<std::string, std::set<Split>> splits_of_group;
  for (std::size_t i = 0; i < l.paths.size(); ++i)
    splits_of_group[l.groups[i]].insert(plan.splits[i]);
  for (const auto& [g, s] : splits_of_group) CHECK(s.size() == 1);
  // train : val = 70 : 15 of the 140 Training/ images, within a group of the target.
  CHECK(std::abs(count(plan.splits)[Split::val] - 140 * 15.0 / 85) <= 4);
  CHECK(plan.straddling_groups == 0);
}

TEST_CASE("folders: groups on both sides leave the test split unless kept",
          "[data][split][policy]") {
  const Layout l(5);
  const SplitPlan moved = plan_splits(l.input(), {.policy = SplitPolicy::folders});
  CHECK(moved.straddling_groups == 5);
  CHECK(moved.straddling_test_files == 5);
  CHECK(count(moved.splits)[Split::test] == 18);
  const SplitPlan kept = plan_splits(
      l.input(), {.policy = SplitPolicy::folders, .straddling = StraddlingGroups::keep});
  CHECK(kept.straddling_groups == 5);
  CHECK(count(kept.splits)[Split::test] == 23);
  for (std::size_t i = 0; i < l.paths.size(); ++i)
    if (l.groups[i] == "y39") CHECK(moved.splits[i] != Split::test);
}

TEST_CASE("folders: an image outside Training/ and Testing/ is named", "[data][split][policy]") {
  Layout l(0);
  l.sides[7] = DatasetSide::none;
  CHECK_THROWS_WITH(plan_splits(l.input(), {.policy = SplitPolicy::folders}),
                    Catch::Contains(l.paths[7]) && Catch::Contains("neither"));
  for (auto& side : l.sides) side = DatasetSide::training;
  CHECK_THROWS_WITH(plan_splits(l.input(), {.policy = SplitPolicy::folders}),
                    Catch::Contains("no image is in a Testing folder"));
}

TEST_CASE("per-file splits every file on its own; grouped keeps groups whole",
          "[data][split][policy]") {
  const Layout l(0);
  const SplitPlan per_file = plan_splits(l.input(), {.policy = SplitPolicy::per_file});
  CHECK(per_file.groups == l.paths);
  std::map<std::string, std::set<Split>> per_file_groups, grouped_groups;
  const SplitPlan grouped = plan_splits(l.input(), {.policy = SplitPolicy::grouped});
  CHECK(grouped.groups == l.groups);
  for (std::size_t i = 0; i < l.paths.size(); ++i) {
    per_file_groups[l.groups[i]].insert(per_file.splits[i]);
    grouped_groups[l.groups[i]].insert(grouped.splits[i]);
  }
  std::size_t straddling = 0;
  for (const auto& [g, s] : per_file_groups) straddling += s.size() > 1;
  CHECK(straddling > 0);  // the leak the seed's protocol has
  for (const auto& [g, s] : grouped_groups) CHECK(s.size() == 1);
}

TEST_CASE("policy names round-trip and unknown ones name the flag", "[data][split][policy]") {
  for (SplitPolicy p : {SplitPolicy::grouped, SplitPolicy::folders, SplitPolicy::per_file})
    CHECK(policy_from_name(policy_name(p)) == p);
  CHECK_THROWS_WITH(policy_from_name("random"), Catch::Contains("--split-policy"));
}
