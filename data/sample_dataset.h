#pragma once
// `braincam sample`: a documented, reproducible subset of a prepared dataset, copied out as a
// dataset folder of its own. The draw takes at most one image per source group (copies and
// neighbouring slices of one scan are one source, not several), per label the requested number of
// groups by a seeded shuffle, the classes of a label (glioma, meningioma, pituitary) in proportion
// to their groups. The copies keep their paths relative to the dataset folder (Training/glioma/
// stays Training/glioma/), so `prepare` and `augment` read the subset as they read the whole;
// sample.csv and sample.json beside them say what was drawn and how.
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "data/dataset_split.h"
#include "data/manifest.h"

namespace braincam::data {

inline constexpr const char* kSampleListName = "sample.csv";
inline constexpr const char* kSampleSettingsName = "sample.json";

struct SampleRequest {
  std::vector<Split> splits;  // images of these splits only
  // Images per label (indexed by label: no, yes); nothing: every image of the splits.
  std::optional<std::array<int, 2>> count;
  std::uint64_t seed = 42;
};

struct ClassDraw {
  int label = 0;
  std::string name;
  int groups = 0;  // source groups of the class wholly in the chosen splits
  int chosen = 0;  // images chosen
};

struct SampleDraw {
  std::vector<std::size_t> chosen;  // indices into the manifest, ascending
  std::vector<ClassDraw> classes;   // by label, then class name
  int groups_left_out = 0;          // groups with images in other splits too: never drawn
};

// The draw over the manifest's rows (label, class, group, split, path). With a count, each label
// gets exactly that many images, one per group; the groups of a label are shared among its
// classes by largest remainder in proportion to their groups (ties to the class first by name),
// and each class's groups, in name order, are shuffled by Rng(seed, stream, hash of the class
// name). A group's image is its first in manifest order that lies on its split's own side of the
// dataset's folders (Training/ for train and val, Testing/ for test), else its first: a group that
// `prepare --split-policy folders` moved from Testing/ to the training side gives its Training/
// image. Groups with images outside the chosen splits are left out, so a drawn image has no copy
// there. Throws DataError naming --count and the groups available when a label has too few.
SampleDraw draw_sample(std::span<const ManifestRow> rows, const SampleRequest& request);

struct SampleOptions {
  std::filesystem::path cache_dir;
  std::filesystem::path out_dir;
  SampleRequest request;
  bool overwrite = false;
};

struct SampleReport {
  SampleDraw draw;
  int masks = 0;  // lesion masks copied with their images
};

// Draws from the cache, copies the chosen source files (with their lesion masks) from the dataset
// folder the cache was prepared from, writes sample.csv (path,label,class,split,group) and
// sample.json (cache, fingerprint, request, classes), all built under a temporary name and renamed
// into --out. Refuses a non-empty --out unless `overwrite`, and an --out that overlaps the dataset
// or the cache folder.
SampleReport sample_dataset(const SampleOptions& options);

}  // namespace braincam::data
