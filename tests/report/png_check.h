#pragma once
// Checks that a file is a PNG (by its signature) and decodes it with the project's decoder.
#include <catch2/catch.hpp>
#include <filesystem>

#include "base/file_io.h"
#include "data/image_codec.h"

namespace braincam::test {

inline data::Image read_png(const std::filesystem::path& file) {
  REQUIRE(std::filesystem::exists(file));
  const std::vector<std::uint8_t> bytes = read_file(file);
  const std::uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  REQUIRE(bytes.size() > 8);
  REQUIRE(std::equal(signature, signature + 8, bytes.begin()));
  return data::decode_image(bytes, file.string()).rgb;
}

// A fresh empty folder under the system's temporary folder, removed at the end of the scope.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& name)
      : path(std::filesystem::temp_directory_path() / ("braincam-report-test-" + name)) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
};

}  // namespace braincam::test
