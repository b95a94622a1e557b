#include "base/atomic_file.h"

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
    fs::rename(tmp, target);
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
