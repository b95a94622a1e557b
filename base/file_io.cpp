#include "base/file_io.h"

#include <unistd.h>

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
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw FileError(file, "cannot read (not a regular file?)");
  in.seekg(0);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), size);
  if (!in) throw FileError(file, "read failed");
  return bytes;
}

void install_folder(const fs::path& built, const fs::path& target, bool replace) {
  std::error_code ec;
  const bool exists = fs::exists(target, ec);
  if (exists && !fs::is_empty(target, ec)) {
    if (!replace)
      throw FileError(target, "already exists and is not empty (pass --overwrite to replace it)");
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

}  // namespace braincam
