#include "data/prepare_dataset.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "base/atomic_file.h"
#include "base/file_io.h"
#include "base/folder_lock.h"
#include "base/hash.h"
#include "data/class_folders.h"
#include "data/data_error.h"
#include "data/dataset_cache.h"
#include "data/dataset_eda.h"
#include "data/image_codec.h"
#include "data/input_background.h"
#include "data/manifest.h"
#include "data/perceptual_hash.h"
#include "data/preprocess.h"
#include "data/source_group.h"

namespace braincam::data {
namespace fs = std::filesystem;
namespace {

// Files are processed in chunks: decoded in parallel, appended to the cache in order.
constexpr std::size_t kChunk = 64;

struct Processed {
  std::optional<Preprocessed> image;
  std::string error;
  std::uint64_t content_hash = 0;
  std::uint64_t perceptual_hash = 0;
  ImageStats stats;
};

Processed process(const fs::path& file, const DecodeLimits& limits, Background background) {
  Processed p;
  try {
    const std::vector<std::uint8_t> bytes = read_file(file);
    DecodedImage d = decode_image(bytes, file.filename().string(), limits);
    const Image& rgb = d.rgb;
    p.content_hash = Hasher().u64(rgb.width).u64(rgb.height).bytes(rgb.pixels).digest();
    const std::vector<std::uint8_t> gray = to_gray(rgb);
    double sum = 0, sum2 = 0;
    for (std::uint8_t v : gray) {
      sum += v;
      sum2 += static_cast<double>(v) * v;
    }
    p.stats.gray_mean = sum / gray.size();
    p.stats.gray_std =
        std::sqrt(std::max(0.0, sum2 / gray.size() - p.stats.gray_mean * p.stats.gray_mean));
    p.stats.source_channels = d.source_channels;
    p.stats.sixteen_bit = d.sixteen_bit;
    p.image = preprocess_image(rgb);
    // Hashed as it comes, so that sources group and split alike whatever the background.
    p.perceptual_hash = perceptual_hash(p.image->input);
    apply_background(p.image->input, background);
    p.stats.brain_found = p.image->crop.found;
    const auto& px = p.image->input.pixels;
    for (std::size_t i = 0; i < px.size(); ++i) p.stats.input_mean[i % 3] += px[i];
    for (double& m : p.stats.input_mean) m /= 255.0 * (px.size() / 3);
  } catch (const std::exception& e) {
    // The reason without the path prefix; the report names the file itself.
    std::string why = e.what();
    const std::string prefix = file.filename().string() + ": ";
    if (why.starts_with(prefix)) why.erase(0, prefix.size());
    p.error = why;
    p.image.reset();
  }
  return p;
}

std::uint64_t fingerprint_of(const PrepareOptions& o, const fs::path& data_dir,
                             const DatasetListing& listing) {
  std::vector<std::uint64_t> content(listing.files.size());
#pragma omp parallel for schedule(dynamic)
  for (std::size_t i = 0; i < listing.files.size(); ++i) {
    try {
      content[i] = Hasher().bytes(read_file(data_dir / listing.files[i].relative)).digest();
    } catch (const DataError&) {
      content[i] = 0;  // unreadable now; reported when processed
    }
  }
  Hasher h;
  const SplitPlanOptions& split = o.split;
  h.text("braincam-cache").u64(kCacheVersion).u64(kBrainThreshold).u64(kInputSize).u64(split.seed);
  h.text(std::to_string(split.fractions.train) + "/" + std::to_string(split.fractions.val))
      .text(data_dir.string());
  h.text(policy_name(split.policy)).u64(static_cast<std::uint64_t>(split.straddling));
  h.u64(o.grouping.near_duplicate_distance.value_or(-1));
  // Only a raised or lowered cap enters, so that caches made before it existed stay valid.
  if (o.limits.max_pixels != kDefaultMaxPixels) h.text("max_pixels").u64(o.limits.max_pixels);
  if (o.background != Background::keep) h.text("background").text(background_name(o.background));
  for (std::size_t i = 0; i < listing.files.size(); ++i)
    h.text(listing.files[i].relative.generic_string()).u64(listing.files[i].label).u64(content[i]);
  return h.digest();
}

// What the split is stratified by: the label, refined by the class where a label has several
// (glioma, meningioma, pituitary), so tumor types keep their proportions in every split. Binary
// layouts get the label itself, as before classes existed.
std::vector<int> strata_of(const std::vector<ManifestRow>& rows) {
  std::map<int, std::set<std::string>> classes_of_label;
  for (const ManifestRow& r : rows) classes_of_label[r.label].insert(r.class_name);
  std::vector<int> strata;
  for (const ManifestRow& r : rows) {
    const auto& names = classes_of_label[r.label];
    const auto rank = std::distance(names.begin(), names.find(r.class_name));
    strata.push_back(r.label + 2 * static_cast<int>(rank));
  }
  return strata;
}

// A cache inside the dataset would be written into a class folder or searched as one next time.
void require_outside(const fs::path& cache_dir, const fs::path& data_dir) {
  std::error_code ec;
  const fs::path cache = fs::weakly_canonical(fs::absolute(cache_dir), ec);
  const fs::path data = fs::weakly_canonical(data_dir, ec);
  if (std::mismatch(data.begin(), data.end(), cache.begin(), cache.end()).first == data.end())
    throw DataError(cache_dir,
                    "the cache folder must be outside the dataset folder " + data_dir.string());
}

}  // namespace

PrepareReport prepare_dataset(const PrepareOptions& o) {
  const SplitFractions& fractions = o.split.fractions;
  if (fractions.train <= 0 || fractions.val < 0 || fractions.train + fractions.val > 1)
    throw DataError("split fractions must satisfy 0 < train, 0 <= val, train + val <= 1");
  const fs::path data_dir = fs::absolute(o.data_dir).lexically_normal();
  require_outside(o.cache_dir, data_dir);
  const DatasetListing listing = list_dataset(data_dir);
  PrepareReport report;
  report.fingerprint = fingerprint_of(o, data_dir, listing);
  // Held to the end: a second prepare into this folder stops instead of mixing its files in.
  const FolderLock lock(o.cache_dir, "another braincam prepare");
  remove_temporary_files(o.cache_dir);  // of a killed prepare

  const fs::path eda_file = o.cache_dir / kEdaFileName;
  if (!o.force && cached_fingerprint(o.cache_dir) == report.fingerprint && fs::exists(eda_file)) {
    try {
      std::ifstream in(eda_file);
      report.eda = nlohmann::json::parse(in);
      return report;
    } catch (const nlohmann::json::exception&) {
      // an unreadable eda.json: rebuild everything
    }
  }

  CacheWriter writer(o.cache_dir);
  std::vector<ManifestRow> rows;
  std::vector<ImageStats> stats;
  std::vector<GroupInput> group_inputs;
  std::vector<SkippedFile> skipped = listing.skipped;
  std::vector<int> labels;
  std::vector<DatasetSide> sides;
  for (std::size_t start = 0; start < listing.files.size(); start += kChunk) {
    const std::size_t n = std::min(kChunk, listing.files.size() - start);
    std::vector<Processed> chunk(n);
#pragma omp parallel for schedule(dynamic)
    for (std::size_t k = 0; k < n; ++k)
      chunk[k] = process(data_dir / listing.files[start + k].relative, o.limits, o.background);
    for (std::size_t k = 0; k < n; ++k) {
      const LabelledFile& f = listing.files[start + k];
      const Processed& p = chunk[k];
      if (!p.image) {
        skipped.push_back({f.relative.generic_string(), p.error});
        continue;
      }
      writer.append(p.image->input);
      ManifestRow r;
      r.path = f.relative.generic_string();
      r.label = f.label;
      r.class_name = f.class_name;
      r.box = p.image->crop.box;
      r.width = p.image->source_width;
      r.height = p.image->source_height;
      rows.push_back(r);
      stats.push_back(p.stats);
      labels.push_back(f.label);
      sides.push_back(f.side);
      group_inputs.push_back({f.relative.filename().string(), f.class_name, f.label, p.content_hash,
                              p.perceptual_hash});
    }
  }
  if (rows.empty()) {
    const SkippedFile& first = skipped[listing.skipped.size()];  // the first file not decoded
    throw DataError(data_dir, "none of the " + std::to_string(listing.files.size()) +
                                  " files could be decoded (first: " + first.path + ": " +
                                  first.reason + ")");
  }
  require_two_classes(labels, data_dir,
                      "after skipping " + std::to_string(skipped.size()) + " unreadable files");

  const Grouping grouping = group_sources(group_inputs, o.grouping);
  std::vector<std::string> paths;
  for (const ManifestRow& r : rows) paths.push_back(r.path);
  const SplitPlan plan = plan_splits({strata_of(rows), grouping.group_of, sides, paths}, o.split);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i].split = plan.splits[i];
    rows[i].group = plan.groups[i];
  }
  const std::string manifest = format_manifest(rows);
  nlohmann::json settings = {
      {"data_dir", data_dir.string()},
      {"seed", o.split.seed},
      {"split_policy", policy_name(o.split.policy)},
      {"straddling_groups", o.split.straddling == StraddlingGroups::keep ? "keep" : "to-training"},
      {"near_duplicate_distance", o.grouping.near_duplicate_distance
                                      ? nlohmann::json(*o.grouping.near_duplicate_distance)
                                      : nlohmann::json(nullptr)},
      {"fractions",
       {o.split.fractions.train, o.split.fractions.val,
        1.0 - o.split.fractions.train - o.split.fractions.val}},
      {"threshold", kBrainThreshold},
      {"size", kInputSize},
      {"manifest_hash", hex64(Hasher().text(manifest).digest())}};
  // Absent for `keep`, as in caches made before the choice existed.
  if (o.background != Background::keep) settings["background"] = background_name(o.background);
  // The cache goes into place first: a stale manifest next to it is detected by manifest_hash.
  writer.finish(labels, plan.splits, report.fingerprint, settings.dump());
  write_file_atomically(o.cache_dir / kManifestFileName, manifest);
  report.eda = make_eda({rows, stats, skipped, grouping, plan, o.split});
  report.eda["settings"] = settings;
  write_file_atomically(eda_file, report.eda.dump(2) + "\n");
  report.rebuilt = true;
  return report;
}

}  // namespace braincam::data
