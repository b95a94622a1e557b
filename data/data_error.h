#pragma once
// The one exception type of data/: its message names the file and the problem.
#include <filesystem>
#include <stdexcept>
#include <string>

namespace braincam::data {

struct DataError : std::runtime_error {
  using std::runtime_error::runtime_error;
  DataError(const std::filesystem::path& file, const std::string& problem)
      : std::runtime_error(file.string() + ": " + problem) {}
};

}  // namespace braincam::data
