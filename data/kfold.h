#pragma once
// Grouped, stratified k-fold cross-validation over the train and val splits (the test split stays
// out of every fold): every image of a source group goes to one fold, and each fold gets as even
// a share of each class as the groups allow.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/dataset_split.h"

namespace braincam::data {

class DatasetCache;

// What the folds are made from: per image its label, source group and split.
struct FoldInputs {
  std::vector<int> labels;
  std::vector<std::string> groups;
  std::vector<Split> splits;
};
FoldInputs fold_inputs(const DatasetCache& cache);

// The fold of an image of the test split.
inline constexpr int kNoFold = 0;

// Per image its fold, 1 to `folds`, or kNoFold for the test split. For each class, the groups
// are shuffled with a generator seeded from (seed, label), then dealt largest first, each to the
// fold with the fewest images of the class so far (ties: the fewest images in all, then the lower
// fold). So a fold's count of a class differs from the even share by less than the largest group.
// Throws std::invalid_argument when `folds` is below 2, or above the number of source groups of the
// smallest class in the train and val splits (a fold would miss the class).
std::vector<int> assign_folds(const FoldInputs& inputs, int folds, std::uint64_t seed);

// The images of fold `fold` (held out) and those of the other folds (trained on), in image order.
struct FoldSplit {
  std::vector<std::size_t> train, held_out;
};
FoldSplit fold_split(const std::vector<int>& fold_of, int fold);

}  // namespace braincam::data
