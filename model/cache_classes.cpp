#include "model/cache_classes.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

namespace braincam {

ClassNames cache_class_names(const data::DatasetCache& cache, const std::string& source) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < cache.size(); ++i) names.insert(cache.entry(i).class_name);
  if (names.size() < 2)
    throw std::runtime_error(source +
                             ": a multiclass model needs at least two classes, the cache has " +
                             nlohmann::json(names).dump());
  ClassNames classes{.names = {names.begin(), names.end()}, .no_tumor = ""};
  if (names.contains(kNoTumorClassName)) classes.no_tumor = kNoTumorClassName;
  return classes;
}

std::vector<int> cache_class_indices(const data::DatasetCache& cache, const ClassNames& classes) {
  std::vector<int> indices(cache.size());
  for (std::size_t i = 0; i < cache.size(); ++i) {
    const auto it =
        std::find(classes.names.begin(), classes.names.end(), cache.entry(i).class_name);
    if (it == classes.names.end())
      throw std::invalid_argument("class '" + cache.entry(i).class_name + "' is not among " +
                                  nlohmann::json(classes.names).dump());
    indices[i] = static_cast<int>(it - classes.names.begin());
  }
  return indices;
}

void require_same_classes(const ClassNames& checkpoint, const std::string& checkpoint_source,
                          const ClassNames& data, const std::string& data_source) {
  if (checkpoint.names == data.names) return;
  throw std::runtime_error(checkpoint_source + " has the classes " +
                           nlohmann::json(checkpoint.names).dump() + ", but " + data_source +
                           " has " + nlohmann::json(data.names).dump() +
                           ": a checkpoint takes data of its own classes, in its order");
}

}  // namespace braincam
