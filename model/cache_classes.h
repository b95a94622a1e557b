#pragma once
// The classes of a dataset cache for the K-class model (docs/spec.md section 6.6): the class names
// of its manifest (data/class_folders.h reads `no`, `no_tumor` as `notumor`), sorted by byte
// order, `notumor` the no-tumor class; and the check that a checkpoint's classes are the data's.
#include <string>
#include <vector>

#include "data/dataset_cache.h"
#include "model/checkpoint_classes.h"

namespace braincam {

inline constexpr const char* kNoTumorClassName = "notumor";

// The classes of every image of `cache`. Throws naming `source` when it holds fewer than two.
ClassNames cache_class_names(const data::DatasetCache& cache, const std::string& source);

// The class index of each image of `cache` in `classes.names` (which must name every class of
// the cache).
std::vector<int> cache_class_indices(const data::DatasetCache& cache, const ClassNames& classes);

// Throws naming both sides and their classes when `checkpoint`'s class names are not `data`'s in
// the same order.
void require_same_classes(const ClassNames& checkpoint, const std::string& checkpoint_source,
                          const ClassNames& data, const std::string& data_source);

}  // namespace braincam
