#include "data/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "data/data_error.h"

namespace braincam::data {
namespace fs = std::filesystem;

fs::path temporary_name(const fs::path& target) {
  std::string name = ".";
  name.append(target.filename().string()).append(".tmp").append(std::to_string(::getpid()));
  return target.parent_path() / name;
}

static void write_bytes_atomic(const fs::path& target, const void* data, std::size_t size) {
  const fs::path tmp = temporary_name(target);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw DataError(tmp, std::string("cannot create: ") + std::strerror(errno));
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.flush();
    if (!out) {
      std::error_code ignored;
      fs::remove(tmp, ignored);
      throw DataError(tmp, "write failed (disk full?)");
    }
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw DataError(target, "cannot rename the finished file into place: " + ec.message());
  }
}

void write_file_atomic(const fs::path& target, std::span<const std::uint8_t> bytes) {
  write_bytes_atomic(target, bytes.data(), bytes.size());
}

void write_file_atomic(const fs::path& target, std::string_view text) {
  write_bytes_atomic(target, text.data(), text.size());
}

std::vector<std::uint8_t> read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataError(file, std::string("cannot open: ") + std::strerror(errno));
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw DataError(file, "cannot read (not a regular file?)");
  in.seekg(0);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), size);
  if (!in) throw DataError(file, "read failed");
  return bytes;
}

void install_folder(const fs::path& built, const fs::path& target, bool replace) {
  std::error_code ec;
  const bool exists = fs::exists(target, ec);
  if (exists && !fs::is_empty(target, ec)) {
    if (!replace)
      throw DataError(target, "already exists and is not empty (pass --overwrite to replace it)");
    const fs::path old = temporary_name(target).string() + ".old";
    fs::rename(target, old, ec);
    if (ec) throw DataError(target, "cannot move the old folder aside: " + ec.message());
    fs::rename(built, target, ec);
    if (ec) {
      fs::rename(old, target);  // put the old one back
      throw DataError(target, "cannot move the new folder into place: " + ec.message());
    }
    fs::remove_all(old, ec);
    return;
  }
  if (exists) fs::remove(target, ec);
  fs::rename(built, target, ec);
  if (ec) throw DataError(target, "cannot move the new folder into place: " + ec.message());
}

}  // namespace braincam::data
