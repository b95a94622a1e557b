#include "data/input_background.h"

#include "data/brain_region.h"
#include "data/data_error.h"

namespace braincam::data {

const char* background_name(Background background) {
  for (const auto& [name, value] : kBackgroundNames)
    if (value == background) return name;
  return "?";
}

Background parse_background(const std::string& name, const std::string& what) {
  for (const auto& [known, value] : kBackgroundNames)
    if (name == known) return value;
  throw DataError(what + ": background must be keep or black, got '" + name + "'");
}

void apply_background(Image& input, Background background) {
  if (background == Background::black)
    input = keep_region(input, brain_region(input), RegionKept::brain);
}

}  // namespace braincam::data
