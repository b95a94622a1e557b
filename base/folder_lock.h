#pragma once
// An exclusive lock on a folder that one command writes (a training run, a dataset cache), so
// that a second command writing the same folder stops with an error instead of mixing its files
// in: flock(2) on FOLDER/.lock, held until the lock is destroyed. The kernel releases it when the
// process ends, killed or not, so a crash leaves no stale lock. The .lock file itself stays: a
// lock file that is removed and created again could be locked twice at once.
#include <filesystem>
#include <string>

namespace braincam {

class FolderLock {
 public:
  // Creates `folder` if needed and locks it. Throws naming the folder when another process holds
  // the lock; `holder` says what that is (e.g. "another braincam train").
  FolderLock(const std::filesystem::path& folder, const std::string& holder);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

  static constexpr const char* kFileName = ".lock";

 private:
  int fd_ = -1;
};

}  // namespace braincam
