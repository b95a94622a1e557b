#pragma once
// Walking folders that hold symbolic links. A link is followed to the file or folder it names,
// except that a broken link (its target is missing) and a link loop are skipped with the reason,
// and a folder reached a second time, through a link to a folder already walked (a parent among
// them), is skipped too: no walk goes round forever or counts an image twice.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace braincam::data {

// What a folder entry is once its links are followed.
enum class EntryKind {
  File,    // a regular file
  Folder,  // a folder
  Other,   // a device, socket or FIFO
  Broken,  // a broken link, a link loop, or an entry that cannot be examined
};

struct EntryType {
  EntryKind kind = EntryKind::Other;
  std::string reason;  // why a Broken entry cannot be followed
};

EntryType entry_type(const std::filesystem::path& entry);

// The entries of `dir`, sorted (none when it cannot be read).
std::vector<std::filesystem::path> sorted_entries(const std::filesystem::path& dir);

// The folders of one walk so far, by their real (canonical) path.
class VisitedFolders {
 public:
  // Records `dir`, shown in messages as `shown_as`. Returns nothing the first time its real path
  // is seen, otherwise the reason to skip it.
  std::optional<std::string> visit(const std::filesystem::path& dir, const std::string& shown_as);

 private:
  std::map<std::filesystem::path, std::string> seen_;  // real path -> how it was first reached
};

}  // namespace braincam::data
