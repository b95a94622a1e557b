#include "data/sample_dataset.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "base/atomic_file.h"
#include "base/file_io.h"
#include "base/hash.h"
#include "base/random.h"
#include "data/class_folders.h"
#include "data/csv_field.h"
#include "data/data_error.h"
#include "data/dataset_cache.h"
#include "data/lesion_mask.h"

namespace braincam::data {
namespace fs = std::filesystem;
namespace {

constexpr std::uint64_t kSampleStream = 0x5A3D1E;

using ClassKey = std::pair<int, std::string>;  // label, class name

bool in_splits(Split s, const std::vector<Split>& splits) {
  return std::find(splits.begin(), splits.end(), s) != splits.end();
}

// Training/ for train and val, Testing/ for test; a layout without those folders has no sides.
bool on_own_side(const ManifestRow& r) {
  const DatasetSide side = side_of_path(r.path);
  return side == DatasetSide::none || (side == DatasetSide::testing) == (r.split == Split::test);
}

struct GroupPick {
  std::optional<std::size_t> image;  // its first image in the chosen splits, on its side if any
  bool on_side = false;
  bool whole = true;  // every image of the group is in the chosen splits
};

std::map<std::string, GroupPick> pick_per_group(std::span<const ManifestRow> rows,
                                                const std::vector<Split>& splits) {
  std::map<std::string, GroupPick> groups;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    GroupPick& g = groups[rows[i].group];
    if (!in_splits(rows[i].split, splits)) {
      g.whole = false;
      continue;
    }
    const bool side = on_own_side(rows[i]);
    if (!g.image || (side && !g.on_side)) {
      g.image = i;
      g.on_side = side;
    }
  }
  return groups;
}

// n shared among classes of `sizes` groups in proportion: floors, then one more to the largest
// remainders (ties to the earlier class). n must not exceed the sum.
std::vector<int> largest_remainder(int n, const std::vector<std::size_t>& sizes) {
  std::int64_t total = 0;
  for (std::size_t s : sizes) total += static_cast<std::int64_t>(s);
  std::vector<int> quota(sizes.size());
  std::vector<std::size_t> by_remainder(sizes.size());
  int left = n;
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    quota[k] = static_cast<int>(n * static_cast<std::int64_t>(sizes[k]) / total);
    left -= quota[k];
    by_remainder[k] = k;
  }
  const auto remainder = [&](std::size_t k) {
    return n * static_cast<std::int64_t>(sizes[k]) % total;
  };
  std::stable_sort(by_remainder.begin(), by_remainder.end(),
                   [&](std::size_t a, std::size_t b) { return remainder(a) > remainder(b); });
  for (int k = 0; k < left; ++k) ++quota[by_remainder[static_cast<std::size_t>(k)]];
  return quota;
}

void require_enough(const std::map<ClassKey, std::vector<std::size_t>>& pools,
                    const std::array<int, 2>& count, const std::vector<Split>& splits) {
  int available[2] = {0, 0};
  for (const auto& [key, pool] : pools) available[key.first] += static_cast<int>(pool.size());
  if (count[0] <= available[0] && count[1] <= available[1]) return;
  std::string names;
  for (Split s : splits) names.append(names.empty() ? "" : ",").append(split_name(s));
  throw DataError("--count yes=" + std::to_string(count[1]) + ",no=" + std::to_string(count[0]) +
                  ": the " + names + " split(s) hold only " + std::to_string(available[1]) +
                  " tumor and " + std::to_string(available[0]) +
                  " no-tumor source groups, and at most one image is drawn per group");
}

// The first quota of each class's groups, shuffled.
std::vector<std::size_t> draw_groups(std::map<ClassKey, std::vector<std::size_t>> pools,
                                     const std::array<int, 2>& count, std::uint64_t seed) {
  std::vector<std::size_t> chosen;
  for (int label : {kNoTumor, kTumor}) {
    std::vector<std::vector<std::size_t>*> classes;
    std::vector<std::size_t> sizes;
    for (auto& [key, pool] : pools)
      if (key.first == label) {
        Rng rng(seed, kSampleStream, Hasher().text(key.second).digest());
        shuffle(pool, rng);
        classes.push_back(&pool);
        sizes.push_back(pool.size());
      }
    if (classes.empty()) continue;
    const std::vector<int> quota = largest_remainder(count[static_cast<std::size_t>(label)], sizes);
    for (std::size_t k = 0; k < classes.size(); ++k)
      chosen.insert(chosen.end(), classes[k]->begin(), classes[k]->begin() + quota[k]);
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

std::vector<ClassDraw> class_counts(std::span<const ManifestRow> rows,
                                    const std::map<ClassKey, std::vector<std::size_t>>& pools,
                                    const std::vector<std::size_t>& chosen) {
  std::map<ClassKey, ClassDraw> classes;
  for (const auto& [key, pool] : pools)
    classes[key] = {key.first, key.second, static_cast<int>(pool.size()), 0};
  for (std::size_t i : chosen) {
    const ClassKey key{rows[i].label, rows[i].class_name};
    ClassDraw& c = classes[key];
    c.label = key.first;
    c.name = key.second;
    ++c.chosen;
  }
  std::vector<ClassDraw> out;
  for (auto& [key, c] : classes) out.push_back(std::move(c));
  return out;
}

// Whether folder `inner` is `outer` or lies inside it (links resolved).
bool within(const fs::path& inner, const fs::path& outer) {
  std::error_code ec;
  const fs::path a = folder_path(fs::weakly_canonical(fs::absolute(inner), ec));
  const fs::path b = folder_path(fs::weakly_canonical(fs::absolute(outer), ec));
  return std::mismatch(b.begin(), b.end(), a.begin(), a.end()).first == b.end();
}

// Replacing --out must not touch the dataset or the cache, nor may the copies land inside them.
void require_apart(const fs::path& out_dir, const fs::path& other, const std::string& what) {
  if (within(out_dir, other) || within(other, out_dir))
    throw DataError(out_dir, "must lie apart from the " + what + " folder " + other.string() +
                                 " (neither inside it nor holding it)");
}

void copy_into(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  if (ec) throw DataError(to.parent_path(), "cannot create: " + ec.message());
  // Two images of one class folder with the same stem share a mask file.
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) throw DataError(from, "cannot copy: " + ec.message());
}

// Copies the chosen images and their lesion masks; the number of masks.
int copy_images(std::span<const ManifestRow> rows, const std::vector<std::size_t>& chosen,
                const fs::path& data_dir, const fs::path& build) {
  int masks = 0;
  for (std::size_t i : chosen) {
    const fs::path image = rows[i].path, mask = lesion_mask_path(image);
    copy_into(data_dir / image, build / image);
    std::error_code ec;
    if (!fs::is_regular_file(data_dir / mask, ec)) continue;
    copy_into(data_dir / mask, build / mask);
    ++masks;
  }
  return masks;
}

std::string sample_list(std::span<const ManifestRow> rows, const std::vector<std::size_t>& chosen) {
  std::string text = "path,label,class,split,group\n";
  for (std::size_t i : chosen) {
    const ManifestRow& r = rows[i];
    text += csv_field(r.path) + "," + std::to_string(r.label) + "," + csv_field(r.class_name) +
            "," + std::string(split_name(r.split)) + "," + csv_field(r.group) + "\n";
  }
  return text;
}

nlohmann::json sample_settings(const SampleOptions& o, const DatasetCache& cache,
                               const SampleReport& report) {
  const SampleRequest& request = o.request;
  nlohmann::json j;
  j["cache"] = folder_path(o.cache_dir).string();
  j["cache_fingerprint"] = hex64(cache.fingerprint());
  j["data"] = cache.data_dir().string();
  j["splits"] = nlohmann::json::array();
  for (Split s : request.splits) j["splits"].push_back(split_name(s));
  if (request.count) {
    j["count"] = {{"yes", (*request.count)[1]}, {"no", (*request.count)[0]}};
    j["seed"] = request.seed;
    j["rule"] =
        "one image per source group (its first in manifest order on its split's side of "
        "Training/ and Testing/); per label, classes in proportion to their groups (largest "
        "remainder), each class's groups shuffled by the seed";
  } else {
    j["count"] = "all";
    j["rule"] = "every image of the splits";
  }
  j["groups_left_out"] = report.draw.groups_left_out;
  for (const ClassDraw& c : report.draw.classes)
    j["classes"][c.name] = {{"label", c.label}, {"groups", c.groups}, {"chosen", c.chosen}};
  j["images"] = report.draw.chosen.size();
  j["masks"] = report.masks;
  return j;
}

}  // namespace

SampleDraw draw_sample(std::span<const ManifestRow> rows, const SampleRequest& request) {
  SampleDraw draw;
  // Each class's pool: the image of each of its groups, in group-name order.
  std::map<ClassKey, std::vector<std::size_t>> pools;
  for (const auto& [name, g] : pick_per_group(rows, request.splits)) {
    if (!g.image) continue;
    if (!g.whole) {
      ++draw.groups_left_out;
      continue;
    }
    const ManifestRow& r = rows[*g.image];
    pools[{r.label, r.class_name}].push_back(*g.image);
  }
  if (request.count) {
    require_enough(pools, *request.count, request.splits);
    draw.chosen = draw_groups(pools, *request.count, request.seed);
  } else {
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (in_splits(rows[i].split, request.splits)) draw.chosen.push_back(i);
  }
  draw.classes = class_counts(rows, pools, draw.chosen);
  return draw;
}

SampleReport sample_dataset(const SampleOptions& o) {
  const DatasetCache cache = DatasetCache::open(o.cache_dir);
  std::vector<ManifestRow> rows;
  for (std::size_t i = 0; i < cache.size(); ++i) rows.push_back(cache.entry(i));
  SampleReport report;
  report.draw = draw_sample(rows, o.request);
  if (report.draw.chosen.empty())
    throw DataError(o.cache_dir, "the chosen splits hold no image to copy");
  const fs::path out_dir = folder_path(o.out_dir);
  require_apart(out_dir, cache.data_dir(), "dataset");
  require_apart(out_dir, o.cache_dir, "cache");
  check_folder_target(out_dir, o.overwrite);  // before the work, not after it
  const fs::path build = temporary_name(out_dir);
  std::error_code ec;
  fs::remove_all(build, ec);
  try {
    report.masks = copy_images(rows, report.draw.chosen, cache.data_dir(), build);
    write_file_atomically(build / kSampleListName, sample_list(rows, report.draw.chosen));
    write_file_atomically(build / kSampleSettingsName,
                          sample_settings(o, cache, report).dump(2) + "\n");
  } catch (...) {
    fs::remove_all(build, ec);
    throw;
  }
  install_folder(build, out_dir, o.overwrite);
  return report;
}

}  // namespace braincam::data
