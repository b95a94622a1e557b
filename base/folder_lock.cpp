#include "base/folder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/file_error.h"

namespace braincam {

FolderLock::FolderLock(const std::filesystem::path& folder, const std::string& holder) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) throw FileError(folder, "cannot create the folder: " + ec.message());
  const std::filesystem::path file = folder / kFileName;
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw FileError(file, std::string("cannot open the lock file: ") + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
  const int error = errno;
  ::close(fd_);
  if (error == EWOULDBLOCK)
    throw FileError(folder, "is in use by " + holder + " (" + file.string() + " is locked)");
  throw FileError(file, std::string("cannot lock: ") + std::strerror(error));
}

FolderLock::~FolderLock() { ::close(fd_); }

}  // namespace braincam
