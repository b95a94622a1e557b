#pragma once
// A file left out of a dataset or a prediction, with the reason (shown to the user, kept in
// CACHE/eda.json).
#include <string>

namespace braincam::data {

struct SkippedFile {
  std::string path;
  std::string reason;
};

}  // namespace braincam::data
