#pragma once
// Writes a file so that readers see either the old file or the complete new one: the bytes go to
// a temporary file beside it (a hidden name, so folder listings skip it), which is flushed and
// then renamed over the target (rename is atomic on POSIX file systems). A failure leaves the old
// file untouched and removes the temporary one.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <ostream>
#include <span>
#include <string_view>

namespace braincam {

// The temporary name used for `target` while it is being written: .<name>.tmp<pid> beside it.
std::filesystem::path temporary_name(const std::filesystem::path& target);

void write_file_atomically(const std::filesystem::path& target,
                           const std::function<void(std::ostream&)>& write);
void write_file_atomically(const std::filesystem::path& target,
                           std::span<const std::uint8_t> bytes);
void write_file_atomically(const std::filesystem::path& target, std::string_view text);

}  // namespace braincam
