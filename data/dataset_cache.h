#pragma once
// The preprocessed dataset of a CACHE folder, as the trainer reads it.
//
// CACHE/images.bin (little-endian):
//   bytes 0..4095  header: "BRCACHE1", u32 version, u32 width, u32 height, u32 channels,
//                  u64 count, u64 fingerprint, u64 pixel_offset (4096), u64 table_offset,
//                  u64 settings_size, u64 checksum, then `settings_size` bytes of settings JSON
//                  (data folder, seed, preprocessing); zero padding
//   pixel_offset   count × 240 × 240 × 3 uint8, HWC, RGB, image after image
//   table_offset   count × 2 bytes: label (0/1), split (0 train, 1 val, 2 test)
// The checksum (FNV-1a) covers the header fields before it, the settings and the table; the
// fingerprint hashes the source files' paths and contents and every setting that changes the
// output, so `braincam prepare` rebuilds exactly when one of them changes.
// CACHE/manifest.csv (manifest.h) lists the same images in the same order.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/mapped_file.h"
#include "data/dataset_split.h"
#include "data/image.h"
#include "data/input_background.h"
#include "data/manifest.h"
#include "data/online_augment.h"

namespace braincam::data {

inline constexpr const char* kCacheFileName = "images.bin";
inline constexpr const char* kManifestFileName = "manifest.csv";
inline constexpr const char* kEdaFileName = "eda.json";
inline constexpr std::uint32_t kCacheVersion = 2;  // 2: the manifest has a class column

// On-the-fly augmentation for a training batch: image `index` of the dataset gets the random
// transform drawn from Rng(seed, step, index), so a batch is reproducible from (seed, step).
struct BatchAugment {
  std::uint64_t seed = 0;
  std::uint64_t step = 0;    // e.g. the epoch, so each epoch sees new transforms
  OnlineAugment transforms;  // what is drawn (none: the images as stored)
};

class DatasetCache {
 public:
  // Maps CACHE/images.bin and reads CACHE/manifest.csv. Throws DataError naming the file when
  // either is missing, truncated, of another version or size, fails its checksum, or when the
  // two disagree.
  static DatasetCache open(const std::filesystem::path& cache_dir);

  std::size_t size() const { return manifest_.size(); }
  int label(std::size_t i) const { return table_[2 * i]; }
  Split split(std::size_t i) const { return static_cast<Split>(table_[2 * i + 1]); }
  // 240 × 240 × 3 uint8, HWC, RGB; valid while this object lives.
  const std::uint8_t* pixels(std::size_t i) const;
  // The manifest row: source path (relative to data_dir()), group, crop box, original size.
  const ManifestRow& entry(std::size_t i) const { return manifest_[i]; }
  std::vector<std::size_t> indices(Split s) const;

  const std::filesystem::path& data_dir() const { return data_dir_; }
  std::uint64_t fingerprint() const { return fingerprint_; }
  const std::string& settings_json() const { return settings_json_; }
  // What its inputs keep around the head (`prepare --background`).
  Background background() const { return background_; }

  // Fills `out` (indices.size() × 3 × 240 × 240 floats, NCHW) with pixel / 255.
  void fill_batch(std::span<const std::size_t> indices, float* out,
                  const BatchAugment* augment = nullptr) const;

  // The lesion mask of image i aligned with its model input (lesion_mask.h), or nothing.
  std::optional<Image> lesion_mask(std::size_t i) const;

 private:
  MappedFile file_;
  const std::uint8_t* table_ = nullptr;
  const std::uint8_t* pixels_ = nullptr;
  std::vector<ManifestRow> manifest_;
  std::filesystem::path data_dir_;
  std::uint64_t fingerprint_ = 0;
  std::string settings_json_;
  Background background_ = Background::keep;
};

// Streams preprocessed images into CACHE/images.bin under a temporary name; `finish` writes the
// table and header and renames it into place. A writer dropped before `finish` removes its file.
class CacheWriter {
 public:
  explicit CacheWriter(const std::filesystem::path& cache_dir);
  ~CacheWriter();
  CacheWriter(const CacheWriter&) = delete;
  CacheWriter& operator=(const CacheWriter&) = delete;

  void append(const Image& input);  // 240 × 240 × 3
  void finish(std::span<const int> labels, std::span<const Split> splits, std::uint64_t fingerprint,
              const std::string& settings_json);

 private:
  std::filesystem::path target_, temp_;
  std::FILE* out_ = nullptr;
  std::uint64_t count_ = 0;
};

// The fingerprint stored in an existing cache, or nothing when there is no valid cache there.
std::optional<std::uint64_t> cached_fingerprint(const std::filesystem::path& cache_dir);

}  // namespace braincam::data
