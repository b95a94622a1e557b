#include "data/kfold.h"

#include <algorithm>
#include <stdexcept>

#include "data/dataset_cache.h"

namespace braincam::data {

namespace {

// The stream of Rng(seed, stream + label) that orders a class's groups for the folds (the split
// uses another, so the two orders are independent).
constexpr std::uint64_t kFoldStream = 0xF01D5;

// The images of the train and val splits, and their labels and groups.
struct FoldPool {
  std::vector<std::size_t> images;
  std::vector<int> labels;
  std::vector<std::string> groups;
};

FoldPool fold_pool(const FoldInputs& in) {
  if (in.labels.size() != in.groups.size() || in.labels.size() != in.splits.size())
    throw std::invalid_argument("the labels, groups and splits of the images differ in length");
  FoldPool pool;
  for (std::size_t i = 0; i < in.labels.size(); ++i)
    if (in.splits[i] != Split::test) {
      pool.images.push_back(i);
      pool.labels.push_back(in.labels[i]);
      pool.groups.push_back(in.groups[i]);
    }
  return pool;
}

std::size_t fewest_groups(const ClassGroups& classes) {
  std::size_t fewest = 0;
  for (const auto& [label, groups] : classes)
    if (fewest == 0 || groups.size() < fewest) fewest = groups.size();
  return fewest;
}

// The fold (0-based) that gets the next group of a class: the fewest of the class, then the
// fewest in all, then the first.
std::size_t emptiest_fold(const std::vector<std::size_t>& of_class,
                          const std::vector<std::size_t>& in_all) {
  std::size_t best = 0;
  for (std::size_t f = 1; f < of_class.size(); ++f)
    if (of_class[f] < of_class[best] || (of_class[f] == of_class[best] && in_all[f] < in_all[best]))
      best = f;
  return best;
}

std::string fold_count_refusal(int folds, std::size_t most) {
  const std::string refusal =
      "cannot cut the train and val splits into " + std::to_string(folds) + " folds: ";
  if (folds < 2) return refusal + "there must be at least 2";
  return refusal +
         "each fold holds whole source groups of each class, and their smallest class has " +
         std::to_string(most) + " groups";
}

}  // namespace

FoldInputs fold_inputs(const DatasetCache& cache) {
  FoldInputs in;
  for (std::size_t i = 0; i < cache.size(); ++i) {
    in.labels.push_back(cache.label(i));
    in.groups.push_back(cache.entry(i).group);
    in.splits.push_back(cache.split(i));
  }
  return in;
}

std::vector<int> assign_folds(const FoldInputs& inputs, int folds, std::uint64_t seed) {
  const FoldPool pool = fold_pool(inputs);
  ClassGroups classes = shuffled_class_groups(pool.labels, pool.groups, seed, kFoldStream);
  if (const std::size_t most = fewest_groups(classes);
      folds < 2 || static_cast<std::size_t>(folds) > most)
    throw std::invalid_argument(fold_count_refusal(folds, most));
  std::vector<int> fold_of(inputs.labels.size(), kNoFold);
  std::vector<std::size_t> in_all(folds, 0);
  for (auto& [label, groups] : classes) {
    // Largest first; equal sizes keep their shuffled order.
    std::stable_sort(groups.begin(), groups.end(),
                     [](const auto& a, const auto& b) { return a.size() > b.size(); });
    std::vector<std::size_t> of_class(folds, 0);
    for (const auto& members : groups) {
      const std::size_t f = emptiest_fold(of_class, in_all);
      for (std::size_t m : members) fold_of[pool.images[m]] = static_cast<int>(f) + 1;
      of_class[f] += members.size();
      in_all[f] += members.size();
    }
  }
  return fold_of;
}

FoldSplit fold_split(const std::vector<int>& fold_of, int fold) {
  FoldSplit split;
  for (std::size_t i = 0; i < fold_of.size(); ++i)
    if (fold_of[i] == fold)
      split.held_out.push_back(i);
    else if (fold_of[i] != kNoFold)
      split.train.push_back(i);
  return split;
}

}  // namespace braincam::data
