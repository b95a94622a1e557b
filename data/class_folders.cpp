#include "data/class_folders.h"

#include <algorithm>
#include <cctype>

#include "data/data_error.h"

namespace braincam::data {
namespace fs = std::filesystem;
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool hidden(const fs::path& p) { return p.filename().string().starts_with("."); }

std::size_t count_files(const fs::path& dir) {
  std::size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && !hidden(e.path())) ++n;
  return n;
}

void walk(const fs::path& root, const fs::path& dir, int depth, DatasetListing& out) {
  std::vector<fs::path> subdirs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_directory() && !hidden(e.path())) subdirs.push_back(e.path());
  std::sort(subdirs.begin(), subdirs.end());
  for (const fs::path& sub : subdirs) {
    const std::string name = sub.filename().string();
    const std::string rel = fs::relative(sub, root).generic_string();
    if (lower(name) == "masks") continue;
    if (const auto label = class_of_folder(name)) {
      std::size_t n = 0;
      for (const auto& e : fs::directory_iterator(sub, ec))
        if (e.is_regular_file() && !hidden(e.path())) {
          out.files.push_back({fs::relative(e.path(), root), *label});
          ++n;
        }
      out.class_folders.push_back(rel + "/ (" + std::to_string(n) + " files)");
      continue;
    }
    const std::size_t files_here = count_files(sub);
    if (files_here > 0)
      out.ignored_folders.push_back(rel + "/ (" + std::to_string(files_here) + " files)");
    if (depth < 3) walk(root, sub, depth + 1, out);
  }
}

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s.empty() ? "nothing" : s;
}

}  // namespace

std::optional<int> class_of_folder(const std::string& folder_name) {
  const std::string n = lower(folder_name);
  if (n == "yes" || n == "tumor") return kTumor;
  if (n == "no" || n == "no_tumor" || n == "notumor" || n == "no tumor") return kNoTumor;
  return std::nullopt;
}

DatasetListing list_dataset(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw DataError(root, "not a folder");
  DatasetListing out;
  walk(root, root, 1, out);
  std::sort(out.files.begin(), out.files.end(),
            [](const LabelledFile& a, const LabelledFile& b) { return a.relative < b.relative; });
  if (out.class_folders.empty()) {
    std::vector<std::string> found = out.ignored_folders;
    const std::size_t top = count_files(root);
    if (top) found.push_back("./ (" + std::to_string(top) + " files)");
    throw DataError(
        root, "no class folders (yes/no, tumor/no_tumor/notumor) found; found: " + join(found));
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
