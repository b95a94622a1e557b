#pragma once
// Writing outputs without losing what is already saved: write to a temporary name in the same
// folder, then rename over the target (rename is atomic on POSIX file systems).
#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>
#include <vector>

namespace braincam::data {

// The temporary name used for `target` while it is being written.
std::filesystem::path temporary_name(const std::filesystem::path& target);

void write_file_atomic(const std::filesystem::path& target, std::span<const std::uint8_t> bytes);
void write_file_atomic(const std::filesystem::path& target, std::string_view text);

// Reads a whole file; throws DataError naming the file when it cannot be read.
std::vector<std::uint8_t> read_file(const std::filesystem::path& file);

// Moves a finished folder `built` to `target`. An existing `target` is replaced only when
// `replace` is set (it is moved aside first and deleted once the new one is in place);
// otherwise an existing non-empty `target` is an error.
void install_folder(const std::filesystem::path& built, const std::filesystem::path& target,
                    bool replace);

}  // namespace braincam::data
