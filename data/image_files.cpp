#include "data/image_files.h"

#include <algorithm>
#include <cctype>

#include "data/folder_walk.h"

namespace braincam::data {
namespace fs = std::filesystem;
namespace {

bool looks_like_image(const fs::path& p) {
  std::string ext = p.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".gif";
}

void find_images(const fs::path& dir, VisitedFolders& visited, ImageFiles& out) {
  for (const fs::path& entry : sorted_entries(dir)) {
    const EntryType type = entry_type(entry);
    if (type.kind == EntryKind::Broken) {
      out.skipped.push_back({entry.string(), type.reason});
    } else if (type.kind == EntryKind::Folder) {
      if (const auto again = visited.visit(entry, entry.string()))
        out.skipped.push_back({entry.string(), *again});
      else
        find_images(entry, visited, out);
    } else if (type.kind == EntryKind::File && looks_like_image(entry)) {
      out.files.push_back(entry);
    }
  }
}

}  // namespace

ImageFiles list_image_files(const std::vector<std::string>& inputs) {
  ImageFiles out;
  for (const std::string& input : inputs) {
    if (entry_type(input).kind != EntryKind::Folder) {
      out.files.emplace_back(input);  // read (or refused with the reason) as given
      continue;
    }
    VisitedFolders visited;
    visited.visit(input, input);
    const std::size_t first = out.files.size();
    find_images(input, visited, out);
    std::sort(out.files.begin() + static_cast<std::ptrdiff_t>(first), out.files.end());
  }
  return out;
}

}  // namespace braincam::data
