#include "tools/fold_option.h"

#include <charconv>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "data/kfold.h"

namespace braincam::tools {

namespace {

// `text` as a whole decimal number, or nothing.
std::optional<int> whole_number(std::string_view text) {
  int v = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, v);
  if (text.empty() || error != std::errc{} || stop != end) return std::nullopt;
  return v;
}

}  // namespace

FoldChoice parse_fold(const std::string& text) {
  const std::size_t slash = text.find('/');
  const std::optional<int> index = whole_number(std::string_view(text).substr(0, slash));
  const std::optional<int> count = slash == std::string::npos
                                       ? std::nullopt
                                       : whole_number(std::string_view(text).substr(slash + 1));
  if (!index || !count || *count < 2 || *index < 1 || *index > *count)
    throw CLI::ValidationError("--fold",
                               "must be K/N, fold K of N, with N at least 2 and K from 1 "
                               "to N (e.g. 1/5), got '" +
                                   text + "'");
  return {.index = *index, .count = *count};
}

void require_folds(const std::string& flag, const data::DatasetCache& cache, int folds) {
  try {  // whether the folds can be made does not depend on the seed
    data::assign_folds(data::fold_inputs(cache), folds, 0);
  } catch (const std::invalid_argument& e) {
    throw CLI::ValidationError(flag, e.what());
  }
}

}  // namespace braincam::tools
