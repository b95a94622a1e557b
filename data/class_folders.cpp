#include "data/class_folders.h"

#include <algorithm>
#include <cctype>

#include "data/data_error.h"
#include "data/folder_walk.h"

namespace braincam::data {
namespace fs = std::filesystem;
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool hidden(const fs::path& p) { return p.filename().string().starts_with("."); }

// The files (links followed) of `dir` that are not hidden; broken entries go to `skipped`.
std::vector<fs::path> files_in(const fs::path& root, const fs::path& dir,
                               std::vector<SkippedFile>* skipped) {
  std::vector<fs::path> files;
  for (const fs::path& entry : sorted_entries(dir)) {
    if (hidden(entry)) continue;
    const EntryType type = entry_type(entry);
    if (type.kind == EntryKind::File) files.push_back(entry);
    if (type.kind == EntryKind::Broken && skipped)
      skipped->push_back({entry.lexically_relative(root).generic_string(), type.reason});
  }
  return files;
}

std::optional<DatasetSide> side_of_folder(const std::string& folder_name) {
  const std::string n = lower(folder_name);
  if (n == "training" || n == "train") return DatasetSide::training;
  if (n == "testing" || n == "test") return DatasetSide::testing;
  return std::nullopt;
}

void walk(const fs::path& root, const fs::path& dir, int depth, DatasetSide side,
          VisitedFolders& visited, DatasetListing& out) {
  for (const fs::path& sub : sorted_entries(dir)) {
    if (hidden(sub)) continue;
    const std::string name = sub.filename().string();
    const std::string rel = sub.lexically_relative(root).generic_string();
    const EntryType type = entry_type(sub);
    if (type.kind == EntryKind::Broken) out.skipped.push_back({rel, type.reason});
    if (type.kind != EntryKind::Folder || lower(name) == "masks") continue;
    if (const auto again = visited.visit(sub, rel + "/")) {
      out.skipped.push_back({rel + "/", *again});
      continue;
    }
    if (const auto folder_class = class_of_folder(name)) {
      const std::vector<fs::path> files = files_in(root, sub, &out.skipped);
      for (const fs::path& f : files)
        out.files.push_back(
            {f.lexically_relative(root), folder_class->label, folder_class->name, side});
      out.class_folders.push_back(rel + "/ (" + std::to_string(files.size()) + " files)");
      continue;
    }
    const std::size_t files_here = files_in(root, sub, nullptr).size();
    if (files_here > 0)
      out.ignored_folders.push_back(rel + "/ (" + std::to_string(files_here) + " files)");
    if (depth < 3) walk(root, sub, depth + 1, side_of_folder(name).value_or(side), visited, out);
  }
}

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s.empty() ? "nothing" : s;
}

}  // namespace

std::optional<FolderClass> class_of_folder(const std::string& folder_name) {
  std::string n = lower(folder_name);
  if (n == "no" || n == "no_tumor" || n == "notumor" || n == "no tumor")
    return FolderClass{kNoTumor, "notumor"};
  if (n.ends_with("_tumor")) n.resize(n.size() - 6);  // glioma_tumor: glioma
  if (n == "yes" || n == "tumor" || n == "glioma" || n == "meningioma" || n == "pituitary")
    return FolderClass{kTumor, n};
  return std::nullopt;
}

DatasetSide side_of_path(const fs::path& relative) {
  DatasetSide side = DatasetSide::none;
  for (const fs::path& folder : relative.parent_path().parent_path())  // above the class folder
    side = side_of_folder(folder.string()).value_or(side);
  return side;
}

DatasetListing list_dataset(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw DataError(root, "not a folder");
  DatasetListing out;
  VisitedFolders visited;
  visited.visit(root, "./");
  walk(root, root, 1, DatasetSide::none, visited, out);
  std::sort(out.files.begin(), out.files.end(),
            [](const LabelledFile& a, const LabelledFile& b) { return a.relative < b.relative; });
  if (out.class_folders.empty()) {
    std::vector<std::string> found = out.ignored_folders;
    const std::size_t top = files_in(root, root, nullptr).size();
    if (top) found.push_back("./ (" + std::to_string(top) + " files)");
    throw DataError(
        root,
        "no class folders (yes/no, tumor/no_tumor/notumor, glioma/meningioma/pituitary) "
        "found; found: " +
            join(found));
  }
  if (out.files.empty())
    throw DataError(root, "the class folders hold no files: " + join(out.class_folders));
  std::vector<int> labels;
  for (const auto& f : out.files) labels.push_back(f.label);
  require_two_classes(labels, root, "class folders " + join(out.class_folders));
  return out;
}

void require_two_classes(const std::vector<int>& labels, const fs::path& root,
                         const std::string& what) {
  const auto tumor = std::count(labels.begin(), labels.end(), kTumor);
  const auto none = static_cast<std::ptrdiff_t>(labels.size()) - tumor;
  if (tumor == 0 || none == 0)
    throw DataError(root, "only one class: " + std::to_string(tumor) + " tumor and " +
                              std::to_string(none) + " no-tumor images (" + what +
                              "); both yes/ and no/ are needed");
}

}  // namespace braincam::data
