#pragma once
// The error of a file or folder that cannot be read or written: its message names the path and
// the problem. data/ calls it DataError.
#include <filesystem>
#include <stdexcept>
#include <string>

namespace braincam {

struct FileError : std::runtime_error {
  using std::runtime_error::runtime_error;
  FileError(const std::filesystem::path& file, const std::string& problem)
      : std::runtime_error(file.string() + ": " + problem) {}
};

}  // namespace braincam
