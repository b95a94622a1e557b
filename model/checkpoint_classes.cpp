#include "model/checkpoint_classes.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

namespace braincam {

namespace {

constexpr const char* kClasses = "classes";
constexpr const char* kNoTumor = "no_tumor_class";

// Why `classes` cannot name a K-class model's classes, or empty when it can.
std::string names_problem(const ClassNames& classes) {
  const std::vector<std::string>& names = classes.names;
  if (names.size() < 2) return "a multiclass model names at least two classes";
  if (std::any_of(names.begin(), names.end(), [](const std::string& n) { return n.empty(); }))
    return "a class name is empty";
  if (std::set<std::string>(names.begin(), names.end()).size() != names.size())
    return "a class name is repeated";
  if (!classes.no_tumor.empty() &&
      std::find(names.begin(), names.end(), classes.no_tumor) == names.end())
    return "the no-tumor class '" + classes.no_tumor + "' is not one of the classes";
  return "";
}

}  // namespace

int fc_classes(const StateDict& tensors, const std::string& source) {
  const auto it = tensors.find("fc.weight");
  if (it == tensors.end()) throw std::runtime_error(source + ": missing tensor 'fc.weight'");
  const Tensor& w = it->second;
  if (w.ndim() != 2 || w.dim(0) < 1)
    throw std::runtime_error(source + ": 'fc.weight' must be K x inputs, got " +
                             shape_str(w.shape()));
  return static_cast<int>(w.dim(0));
}

void write_class_names(CheckpointMetadata& metadata, const ClassNames& classes) {
  if (classes.names.empty()) return;
  if (const std::string problem = names_problem(classes); !problem.empty())
    throw std::invalid_argument("checkpoint classes: " + problem);
  metadata[kClasses] = nlohmann::json(classes.names).dump();
  if (!classes.no_tumor.empty()) metadata[kNoTumor] = classes.no_tumor;
}

ClassNames read_class_names(const CheckpointMetadata& metadata, int K, const std::string& source) {
  const auto names = metadata.find(kClasses);
  const auto no_tumor = metadata.find(kNoTumor);
  if (K == 1) {
    if (names != metadata.end() || no_tumor != metadata.end())
      throw std::runtime_error(source +
                               ": a binary checkpoint (fc.weight of one row) names no "
                               "classes, but metadata '" +
                               (names != metadata.end() ? kClasses : kNoTumor) + "' is there");
    return {};
  }
  if (names == metadata.end())
    throw std::runtime_error(source + ": a checkpoint of " + std::to_string(K) +
                             " classes needs metadata '" + kClasses + "'");
  ClassNames classes;
  const nlohmann::json parsed = nlohmann::json::parse(names->second, nullptr, false);
  const bool strings =
      parsed.is_array() && std::all_of(parsed.begin(), parsed.end(),
                                       [](const nlohmann::json& v) { return v.is_string(); });
  if (!strings)
    throw std::runtime_error(source + ": metadata '" + kClasses +
                             "' is not a JSON array of class names: " + names->second);
  classes.names = parsed.get<std::vector<std::string>>();
  if (no_tumor != metadata.end()) classes.no_tumor = no_tumor->second;
  if (classes.names.size() != static_cast<std::size_t>(K))
    throw std::runtime_error(source + ": metadata '" + kClasses + "' names " +
                             std::to_string(classes.names.size()) + " classes, fc.weight has " +
                             std::to_string(K) + " rows");
  if (const std::string problem = names_problem(classes); !problem.empty())
    throw std::runtime_error(source + ": metadata '" + kClasses + "': " + problem);
  return classes;
}

}  // namespace braincam
