#include "base/file_io.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "base/atomic_file.h"
#include "base/file_error.h"

namespace braincam {
namespace fs = std::filesystem;

std::vector<std::uint8_t> read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw FileError(file, std::string("cannot open: ") + std::strerror(errno));
  // A folder opens as a stream too, and its "size" is no size at all.
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) throw FileError(file, "not a regular file (a folder?)");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw FileError(file, "cannot read (not a regular file?)");
  in.seekg(0);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), size);
  if (!in) throw FileError(file, "read failed");
  return bytes;
}

fs::path folder_path(const fs::path& folder) {
  fs::path p = fs::absolute(folder).lexically_normal();
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p;
}

void check_folder_target(const fs::path& target, bool replace) {
  std::error_code ec;
  if (!fs::exists(target, ec)) return;
  // Replacing the folder the process runs in would leave it in a deleted folder.
  const fs::path folder = folder_path(target), here = folder_path(fs::current_path(ec));
  if (std::mismatch(folder.begin(), folder.end(), here.begin(), here.end()).first == folder.end())
    throw FileError(target, "is the current folder or one above it; it cannot be replaced");
  if (!replace && !fs::is_empty(target, ec))
    throw FileError(target, "already exists and is not empty (pass --overwrite to replace it)");
}

namespace {

void move_into_place(const fs::path& built, const fs::path& target, bool replace) {
  check_folder_target(target, replace);
  std::error_code ec;
  const bool exists = fs::exists(target, ec);
  if (exists && !fs::is_empty(target, ec)) {
    const fs::path old = temporary_name(target).string() + ".old";
    fs::rename(target, old, ec);
    if (ec) throw FileError(target, "cannot move the old folder aside: " + ec.message());
    fs::rename(built, target, ec);
    if (ec) {
      fs::rename(old, target);  // put the old one back
      throw FileError(target, "cannot move the new folder into place: " + ec.message());
    }
    fs::remove_all(old, ec);
    return;
  }
  if (exists) fs::remove(target, ec);
  fs::rename(built, target, ec);
  if (ec) throw FileError(target, "cannot move the new folder into place: " + ec.message());
}

}  // namespace

void install_folder(const fs::path& built, const fs::path& target, bool replace) {
  try {
    move_into_place(built, folder_path(target), replace);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(built, ignored);
    throw;
  }
}

}  // namespace braincam
