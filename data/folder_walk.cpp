#include "data/folder_walk.h"

#include <algorithm>
#include <system_error>

namespace braincam::data {
namespace fs = std::filesystem;

EntryType entry_type(const fs::path& entry) {
  std::error_code ec;
  const fs::file_status status = fs::status(entry, ec);  // follows links
  if (fs::is_regular_file(status)) return {EntryKind::File, ""};
  if (fs::is_directory(status)) return {EntryKind::Folder, ""};
  if (ec == std::errc::too_many_symbolic_link_levels)
    return {EntryKind::Broken, "a symbolic link loop"};
  std::error_code link_ec;
  if (!fs::exists(status) && fs::is_symlink(fs::symlink_status(entry, link_ec))) {
    const fs::path target = fs::read_symlink(entry, link_ec);
    return {EntryKind::Broken, "a broken symbolic link (to '" + target.string() + "')"};
  }
  if (ec) return {EntryKind::Broken, ec.message()};
  return {EntryKind::Other, ""};
}

std::vector<fs::path> sorted_entries(const fs::path& dir) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    entries.push_back(it->path());
  std::sort(entries.begin(), entries.end());
  return entries;
}

std::optional<std::string> VisitedFolders::visit(const fs::path& dir, const std::string& shown_as) {
  std::error_code ec;
  const fs::path real = fs::canonical(dir, ec);
  if (ec) return "cannot resolve the folder: " + ec.message();
  const auto [it, first] = seen_.emplace(real, shown_as);
  if (first) return std::nullopt;
  return "the same folder as " + it->second + " (reached again through a symbolic link)";
}

}  // namespace braincam::data
