// Grouped, stratified k-fold over the train and val splits.
#include "data/kfold.h"

#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "data_test_helpers.h"

using namespace braincam::data;
using braincam::data::test::numbered;

namespace {

// Groups of uneven sizes (1 to 7 images) in both classes, a fifth of them in the test split.
FoldInputs uneven_groups() {
  FoldInputs in;
  for (int label : {0, 1})
    for (int g = 0; g < 40 + 13 * label; ++g)
      for (int k = 0; k <= (g * 5 + label) % 7; ++k) {
        in.labels.push_back(label);
        in.groups.push_back(numbered(label ? "y" : "n", g));
        in.splits.push_back(g % 5 == 4 ? Split::test : g % 5 == 3 ? Split::val : Split::train);
      }
  return in;
}

}  // namespace

TEST_CASE("folds hold every train and val image once, whole groups, and no test image",
          "[data][kfold]") {
  const FoldInputs in = uneven_groups();
  const std::vector<int> fold_of = assign_folds(in, 5, 3);
  REQUIRE(fold_of.size() == in.labels.size());
  std::map<std::string, std::set<int>> folds_of_group;
  for (std::size_t i = 0; i < fold_of.size(); ++i) {
    CHECK((fold_of[i] == kNoFold) == (in.splits[i] == Split::test));
    CHECK(fold_of[i] >= 0);
    CHECK(fold_of[i] <= 5);
    folds_of_group[in.groups[i]].insert(fold_of[i]);
  }
  for (const auto& [group, folds] : folds_of_group) CHECK(folds.size() == 1);

  const FoldSplit split = fold_split(fold_of, 2);
  std::set<std::size_t> seen(split.train.begin(), split.train.end());
  for (std::size_t i : split.held_out) {
    CHECK(fold_of[i] == 2);
    CHECK(seen.insert(i).second);
  }
  std::size_t train_and_val = 0;
  for (Split s : in.splits) train_and_val += s != Split::test;
  CHECK(seen.size() == train_and_val);
}

TEST_CASE("each fold's share of a class is even within the largest group", "[data][kfold]") {
  const FoldInputs in = uneven_groups();
  for (int folds : {2, 3, 5, 7}) {
    const std::vector<int> fold_of = assign_folds(in, folds, 11);
    std::map<int, std::vector<int>> count;  // label -> images per fold
    std::map<int, int> total;
    std::map<std::string, int> group_size;
    for (std::size_t i = 0; i < fold_of.size(); ++i) {
      if (fold_of[i] == kNoFold) continue;
      count[in.labels[i]].resize(folds);
      ++count[in.labels[i]][fold_of[i] - 1];
      ++total[in.labels[i]];
      ++group_size[in.groups[i]];
    }
    int largest = 0;
    for (const auto& [group, size] : group_size) largest = std::max(largest, size);
    for (const auto& [label, per_fold] : count)
      for (int n : per_fold) {
        INFO("folds " << folds << ", class " << label);
        CHECK(std::abs(n - double(total[label]) / folds) < largest);
      }
  }
}

TEST_CASE("folds follow the seed", "[data][kfold]") {
  const FoldInputs in = uneven_groups();
  CHECK(assign_folds(in, 4, 1) == assign_folds(in, 4, 1));
  CHECK(assign_folds(in, 4, 1) != assign_folds(in, 4, 2));
}

TEST_CASE("a number of folds the groups cannot fill is refused", "[data][kfold]") {
  FoldInputs in;
  for (int g = 0; g < 6; ++g) {  // class 1: 3 groups in train and val, 1 in test
    in.labels.push_back(g < 4 ? 1 : 0);
    in.groups.push_back(numbered("g", g));
    in.splits.push_back(g == 3 ? Split::test : Split::train);
  }
  in.labels.push_back(0);  // class 0: 3 groups
  in.groups.push_back("g4");
  in.splits.push_back(Split::val);
  in.labels.push_back(0);
  in.groups.push_back("g9");
  in.splits.push_back(Split::val);
  CHECK_NOTHROW(assign_folds(in, 3, 0));
  CHECK_THROWS_WITH(assign_folds(in, 4, 0),
                    Catch::Contains("into 4 folds: each fold holds whole source groups of each "
                                    "class, and their smallest class has 3 groups"));
  CHECK_THROWS_WITH(assign_folds(in, 1, 0),
                    Catch::Contains("into 1 folds: there must be at least 2"));
}
