#pragma once
// Reading whole files, and putting a finished output folder in place without losing the old one.
// (Single files are written with atomic_file.h.)
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace braincam {

// Reads a whole file; throws FileError naming the file when it cannot be read.
std::vector<std::uint8_t> read_file(const std::filesystem::path& file);

// Moves a finished folder `built` to `target`. An existing `target` is replaced only when
// `replace` is set (it is moved aside first and deleted once the new one is in place);
// otherwise an existing non-empty `target` is an error.
void install_folder(const std::filesystem::path& built, const std::filesystem::path& target,
                    bool replace);

}  // namespace braincam
