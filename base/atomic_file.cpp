#include "base/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

namespace braincam {

namespace fs = std::filesystem;

fs::path temporary_name(const fs::path& target) {
  // Appended one piece at a time: GCC 12 gives a false -Wrestrict for "." + std::string.
  std::string name = ".";
  name += target.filename().string();
  name += ".tmp" + std::to_string(::getpid());
  return target.parent_path() / name;
}

namespace {

// fsync of a file (its bytes, before the rename makes them the target) or of a folder (the rename
// itself): without them a power loss may leave the new name pointing at an empty file.
void sync_to_disk(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    throw std::runtime_error(path.string() + ": cannot sync to disk: " + why);
  }
  ::close(fd);
}

// Whether `name` is a temporary name of temporary_name: .<name>.tmp<digits>.
bool is_temporary_name(const std::string& name) {
  const std::size_t tmp = name.rfind(".tmp");
  if (name.size() < 2 || name[0] != '.' || tmp == std::string::npos || tmp == 0 ||
      tmp + 4 == name.size())
    return false;
  return name.find_first_not_of("0123456789", tmp + 4) == std::string::npos;
}

}  // namespace

void remove_temporary_files(const fs::path& folder) {
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(folder, ec))
    if (entry.is_regular_file(ec) && is_temporary_name(entry.path().filename().string()))
      fs::remove(entry.path(), ec);
}

void write_file_atomically(const fs::path& target,
                           const std::function<void(std::ostream&)>& write) {
  const fs::path tmp = temporary_name(target);
  try {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      throw std::runtime_error(target.string() + ": cannot create " + tmp.string() + ": " +
                               std::strerror(errno));
    write(out);
    out.flush();
    if (!out) throw std::runtime_error(target.string() + ": write failed (disk full?)");
    out.close();
    sync_to_disk(tmp, O_RDONLY);
    fs::rename(tmp, target);
    sync_to_disk(target.parent_path().empty() ? "." : target.parent_path(), O_RDONLY | O_DIRECTORY);
  } catch (...) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw;
  }
}

void write_file_atomically(const fs::path& target, std::span<const std::uint8_t> bytes) {
  write_file_atomically(target, [&](std::ostream& out) {
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  });
}

void write_file_atomically(const fs::path& target, std::string_view text) {
  write_file_atomically(target, [&](std::ostream& out) {
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
  });
}

}  // namespace braincam
