#pragma once
// Finding the labelled images of a dataset in the Kaggle layouts: class folders named (in any
// case) yes / no, tumor / no_tumor / notumor, or the tumor types glioma / meningioma / pituitary
// (also glioma_tumor ...), found at any depth up to three below the root, e.g. DIR/yes,
// DIR/brain_tumor_dataset/no, DIR/Training/glioma. A folder named Training or Train (Testing or
// Test) above a class folder marks the dataset's own split. Folders named `masks` (lesion masks
// of the synthetic set) are not searched; other folders, such as the unlabelled `pred/`, are
// reported as ignored. Symbolic links are followed as data/folder_walk.h says.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "data/skipped_file.h"

namespace braincam::data {

inline constexpr int kTumor = 1;
inline constexpr int kNoTumor = 0;

// What a class folder's name says: the binary label and the class name of the multiclass model
// (the name lowercased; no, no_tumor and "no tumor" read as notumor, <type>_tumor as <type>).
struct FolderClass {
  int label = kNoTumor;
  std::string name;
};

// The class of a folder name, nothing for a name that is no class.
std::optional<FolderClass> class_of_folder(const std::string& folder_name);

// Which side of the dataset's own split a file is on: the nearest folder above its class folder
// named Training / Train or Testing / Test (any case); none where there is no such folder.
enum class DatasetSide : std::uint8_t { none, training, testing };

// The side of a file from its path relative to the dataset root, as list_dataset finds it.
DatasetSide side_of_path(const std::filesystem::path& relative);

struct LabelledFile {
  std::filesystem::path relative;  // relative to the dataset root
  int label = 0;
  std::string class_name;
  DatasetSide side = DatasetSide::none;
};

struct DatasetListing {
  std::vector<LabelledFile> files;           // sorted by path
  std::vector<std::string> class_folders;    // relative paths, with their file counts
  std::vector<std::string> ignored_folders;  // folders that name no class, with file counts
  // Broken links, link loops and folders reached twice (data/folder_walk.h), relative paths.
  std::vector<SkippedFile> skipped;
};

// Throws DataError naming `root` when it is missing, has no class folder, has no files, or has
// only one class; the message lists what was found.
DatasetListing list_dataset(const std::filesystem::path& root);

// Checks that both classes are present among `labels`; `what` says where they came from.
void require_two_classes(const std::vector<int>& labels, const std::filesystem::path& root,
                         const std::string& what);

}  // namespace braincam::data
