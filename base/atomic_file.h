#pragma once
// Writes a file so that readers see either the old file or the complete new one: the bytes go to
// a temporary file beside it (a hidden name, so folder listings skip it), which is flushed and
// synced to disk, then renamed over the target (rename is atomic on POSIX file systems), and the
// folder is synced so that the rename survives a power loss. A failure leaves the old file
// untouched and removes the temporary one; a killed process leaves its temporary file behind
// (remove_temporary_files).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <ostream>
#include <span>
#include <string_view>

namespace braincam {

// The temporary name used for `target` while it is being written: .<name>.tmp<pid> beside it.
std::filesystem::path temporary_name(const std::filesystem::path& target);

// Removes the temporary files of temporary_name in `folder`, whatever process left them: call it
// only while no other process writes there (the folder's FolderLock held).
void remove_temporary_files(const std::filesystem::path& folder);

void write_file_atomically(const std::filesystem::path& target,
                           const std::function<void(std::ostream&)>& write);
void write_file_atomically(const std::filesystem::path& target,
                           std::span<const std::uint8_t> bytes);
void write_file_atomically(const std::filesystem::path& target, std::string_view text);

}  // namespace braincam
