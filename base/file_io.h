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

// `folder` absolute and lexically normal, without a trailing separator ("out/", "." and
// "a/../b" name the folder itself, so that a name beside it is outside it).
std::filesystem::path folder_path(const std::filesystem::path& folder);

// Throws FileError unless a new folder can be put in place at `target`: it is missing or empty,
// or `replace` is set and it is neither the current folder nor one above it. For commands to call
// before their work; install_folder checks again.
void check_folder_target(const std::filesystem::path& target, bool replace);

// Moves a finished folder `built` to `target`. An existing `target` is replaced only when
// `replace` is set (it is moved aside first and deleted once the new one is in place);
// otherwise an existing non-empty `target` is an error (check_folder_target). On any error
// `built` is removed.
void install_folder(const std::filesystem::path& built, const std::filesystem::path& target,
                    bool replace);

}  // namespace braincam
