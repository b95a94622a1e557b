#include "data/dataset_cache.h"

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "base/atomic_file.h"
#include "base/file_io.h"
#include "base/hash.h"
#include "base/random.h"
#include "data/augment_transform.h"
#include "data/data_error.h"
#include "data/lesion_mask.h"
#include "data/preprocess.h"

namespace braincam::data {
namespace fs = std::filesystem;
namespace {

constexpr char kMagic[8] = {'B', 'R', 'C', 'A', 'C', 'H', 'E', '1'};
constexpr std::uint64_t kHeaderBlock = 4096;
constexpr std::size_t kFixedHeader = 72;  // magic .. checksum
constexpr std::size_t kImageBytes =
    static_cast<std::size_t>(kInputSize) * kInputSize * kInputChannels;

struct Header {
  std::uint32_t version = 0, width = 0, height = 0, channels = 0;
  std::uint64_t count = 0, fingerprint = 0, pixel_offset = 0, table_offset = 0, settings_size = 0,
                checksum = 0;
};

void put32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
void put64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint32_t get32(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = v << 8 | p[i];
  return v;
}
std::uint64_t get64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

void encode_fields(const Header& h, std::uint8_t* p) {
  std::memcpy(p, kMagic, 8);
  put32(p + 8, h.version);
  put32(p + 12, h.width);
  put32(p + 16, h.height);
  put32(p + 20, h.channels);
  put64(p + 24, h.count);
  put64(p + 32, h.fingerprint);
  put64(p + 40, h.pixel_offset);
  put64(p + 48, h.table_offset);
  put64(p + 56, h.settings_size);
  put64(p + 64, h.checksum);
}

std::uint64_t checksum(const std::uint8_t* fields, const std::uint8_t* settings,
                       std::size_t settings_size, const std::uint8_t* table,
                       std::size_t table_size) {
  return Hasher()
      .bytes(fields, 64)
      .bytes(settings, settings_size)
      .bytes(table, table_size)
      .digest();
}

// Parses and checks the header of a mapped cache file; throws DataError naming it.
Header validate(const MappedFile& m, const fs::path& file) {
  if (m.size() < kHeaderBlock)
    throw DataError(file, "truncated cache header (" + std::to_string(m.size()) + " bytes)");
  const std::uint8_t* p = m.data();
  if (std::memcmp(p, kMagic, 8) != 0)
    throw DataError(file, "not a braincam image cache (bad magic)");
  Header h;
  h.version = get32(p + 8);
  h.width = get32(p + 12);
  h.height = get32(p + 16);
  h.channels = get32(p + 20);
  h.count = get64(p + 24);
  h.fingerprint = get64(p + 32);
  h.pixel_offset = get64(p + 40);
  h.table_offset = get64(p + 48);
  h.settings_size = get64(p + 56);
  h.checksum = get64(p + 64);
  if (h.version != kCacheVersion)
    throw DataError(file, "cache version " + std::to_string(h.version) + ", expected " +
                              std::to_string(kCacheVersion) + " (run `braincam prepare` again)");
  if (h.width != kInputSize || h.height != kInputSize || h.channels != kInputChannels)
    throw DataError(file, "images are " + std::to_string(h.width) + "x" + std::to_string(h.height) +
                              "x" + std::to_string(h.channels) + ", expected 240x240x3");
  if (h.settings_size > kHeaderBlock - kFixedHeader || h.pixel_offset != kHeaderBlock ||
      h.count > (m.size() / kImageBytes) ||
      h.table_offset != h.pixel_offset + h.count * kImageBytes)
    throw DataError(file, "inconsistent header offsets");
  if (m.size() != h.table_offset + 2 * h.count)
    throw DataError(file, "size " + std::to_string(m.size()) + " bytes, expected " +
                              std::to_string(h.table_offset + 2 * h.count) +
                              " (truncated or altered)");
  if (checksum(p, p + kFixedHeader, h.settings_size, p + h.table_offset, 2 * h.count) != h.checksum)
    throw DataError(file, "checksum mismatch (the file was altered or damaged)");
  for (std::uint64_t i = 0; i < h.count; ++i)
    if (p[h.table_offset + 2 * i] > 1 || p[h.table_offset + 2 * i + 1] > 2)
      throw DataError(file, "bad label or split of image " + std::to_string(i));
  return h;
}

}  // namespace

DatasetCache DatasetCache::open(const fs::path& cache_dir) {
  DatasetCache c;
  const fs::path file = cache_dir / kCacheFileName;
  c.file_ = MappedFile(file);
  const Header h = validate(c.file_, file);
  c.pixels_ = c.file_.data() + h.pixel_offset;
  c.table_ = c.file_.data() + h.table_offset;
  c.fingerprint_ = h.fingerprint;
  c.settings_json_.assign(reinterpret_cast<const char*>(c.file_.data() + kFixedHeader),
                          h.settings_size);
  nlohmann::json settings;
  try {
    settings = nlohmann::json::parse(c.settings_json_);
    c.data_dir_ = settings.at("data_dir").get<std::string>();
    c.background_ = parse_background(settings.value("background", "keep"),
                                     file.string() + " (its settings' background)");
  } catch (const nlohmann::json::exception& e) {
    throw DataError(file, std::string("bad settings in the header: ") + e.what());
  }
  const fs::path manifest = cache_dir / kManifestFileName;
  const std::vector<std::uint8_t> manifest_bytes = read_file(manifest);
  const std::string manifest_hash = settings.value("manifest_hash", "");
  if (hex64(Hasher().text(std::string(manifest_bytes.begin(), manifest_bytes.end())).digest()) !=
      manifest_hash)
    throw DataError(manifest,
                    "does not belong to " + file.string() + " (run `braincam prepare` again)");
  c.manifest_ = read_manifest(manifest);
  if (c.manifest_.size() != h.count)
    throw DataError(manifest, std::to_string(c.manifest_.size()) + " rows, but " + file.string() +
                                  " holds " + std::to_string(h.count) + " images");
  for (std::size_t i = 0; i < c.manifest_.size(); ++i)
    if (c.manifest_[i].label != c.label(i) || c.manifest_[i].split != c.split(i))
      throw DataError(manifest, "row " + std::to_string(i + 2) + " disagrees with " +
                                    file.string() + " on label or split");
  return c;
}

const std::uint8_t* DatasetCache::pixels(std::size_t i) const { return pixels_ + i * kImageBytes; }

std::vector<std::size_t> DatasetCache::indices(Split s) const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < size(); ++i)
    if (split(i) == s) out.push_back(i);
  return out;
}

void DatasetCache::fill_batch(std::span<const std::size_t> indices, float* out,
                              const BatchAugment* augment) const {
  for (std::size_t i : indices)
    if (i >= size()) throw DataError("fill_batch: index " + std::to_string(i) + " out of range");
  const std::size_t per_image = kImageBytes;
#pragma omp parallel for schedule(dynamic) if (indices.size() > 1)
  for (std::size_t b = 0; b < indices.size(); ++b) {
    const std::uint8_t* src = pixels(indices[b]);
    float* dst = out + b * per_image;
    if (!augment || !augment->transforms.enabled()) {
      to_chw_float(src, kInputSize, kInputSize, dst);
      continue;
    }
    Image image(kInputSize, kInputSize, kInputChannels);
    std::copy_n(src, per_image, image.pixels.data());
    Rng rng(augment->seed, augment->step, indices[b]);
    if (augment->transforms.kind == OnlineAugment::Kind::mri) {
      const MriAugmentParams p = sample_mri_augment(rng, kInputSize, kInputSize);
      apply_mri_augment(image, augment->transforms, p, rng, dst);
      continue;
    }
    const Image moved = apply_augment(image, sample_augment(rng, kInputSize, kInputSize));
    to_chw_float(moved.pixels.data(), kInputSize, kInputSize, dst);
  }
}

std::optional<Image> DatasetCache::lesion_mask(std::size_t i) const {
  const ManifestRow& r = manifest_.at(i);
  return load_lesion_mask(data_dir_ / r.path, r.box, r.width, r.height);
}

CacheWriter::CacheWriter(const fs::path& cache_dir)
    : target_(cache_dir / kCacheFileName), temp_(temporary_name(cache_dir / kCacheFileName)) {
  out_ = std::fopen(temp_.c_str(), "wb");
  if (!out_) throw DataError(temp_, std::string("cannot create: ") + std::strerror(errno));
  const std::vector<std::uint8_t> zeros(kHeaderBlock, 0);
  if (std::fwrite(zeros.data(), 1, zeros.size(), out_) != zeros.size())
    throw DataError(temp_, "write failed");
}

CacheWriter::~CacheWriter() {
  if (out_) {
    std::fclose(out_);
    std::error_code ignored;
    fs::remove(temp_, ignored);
  }
}

void CacheWriter::append(const Image& input) {
  if (input.width != kInputSize || input.height != kInputSize || input.channels != kInputChannels)
    throw DataError(temp_, "only 240x240x3 images can be cached");
  if (std::fwrite(input.pixels.data(), 1, kImageBytes, out_) != kImageBytes)
    throw DataError(temp_, "write failed (disk full?)");
  ++count_;
}

void CacheWriter::finish(std::span<const int> labels, std::span<const Split> splits,
                         std::uint64_t fingerprint, const std::string& settings_json) {
  if (labels.size() != count_ || splits.size() != count_)
    throw DataError(temp_, "labels/splits do not match the number of images written");
  if (settings_json.size() > kHeaderBlock - kFixedHeader)
    throw DataError(temp_, "settings too long for the header");
  std::vector<std::uint8_t> table(2 * count_);
  for (std::size_t i = 0; i < count_; ++i) {
    table[2 * i] = static_cast<std::uint8_t>(labels[i]);
    table[2 * i + 1] = static_cast<std::uint8_t>(splits[i]);
  }
  Header h{kCacheVersion,
           kInputSize,
           kInputSize,
           kInputChannels,
           count_,
           fingerprint,
           kHeaderBlock,
           kHeaderBlock + count_ * kImageBytes,
           settings_json.size(),
           0};
  std::vector<std::uint8_t> header(kHeaderBlock, 0);
  encode_fields(h, header.data());
  std::memcpy(header.data() + kFixedHeader, settings_json.data(), settings_json.size());
  h.checksum = checksum(header.data(), header.data() + kFixedHeader, settings_json.size(),
                        table.data(), table.size());
  encode_fields(h, header.data());
  const bool ok = std::fwrite(table.data(), 1, table.size(), out_) == table.size() &&
                  std::fseek(out_, 0, SEEK_SET) == 0 &&
                  std::fwrite(header.data(), 1, header.size(), out_) == header.size();
  const bool closed = std::fclose(out_) == 0;
  out_ = nullptr;
  std::error_code ec;
  if (!ok || !closed) {
    fs::remove(temp_, ec);
    throw DataError(temp_, "write failed (disk full?)");
  }
  fs::rename(temp_, target_, ec);
  if (ec) {
    fs::remove(temp_, ec);
    throw DataError(target_, "cannot rename the finished cache into place: " + ec.message());
  }
}

std::optional<std::uint64_t> cached_fingerprint(const fs::path& cache_dir) {
  try {
    return DatasetCache::open(cache_dir).fingerprint();
  } catch (const DataError&) {
    return std::nullopt;
  }
}

}  // namespace braincam::data
