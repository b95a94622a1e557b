#include "data/augment_dataset.h"

#include <charconv>

#include "base/atomic_file.h"
#include "base/file_io.h"
#include "base/random.h"
#include "data/class_folders.h"
#include "data/data_error.h"
#include "data/image_codec.h"
#include "data/lesion_mask.h"

namespace braincam::data {
namespace fs = std::filesystem;

void parse_per_class(const std::string& text, int per_class[2], const PerClassFormat& format) {
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t end = std::min(text.find(',', pos), text.size());
    const std::string item = text.substr(pos, end - pos);
    const auto eq = item.find('=');
    const auto folder_class =
        eq == std::string::npos ? std::nullopt : class_of_folder(item.substr(0, eq));
    int n = -1;
    if (folder_class) {
      const char* b = item.data() + eq + 1;
      const auto [p, ec] = std::from_chars(b, item.data() + item.size(), n);
      if (ec != std::errc() || p != item.data() + item.size()) n = -1;
    }
    if (!folder_class || n < 0 || n > format.max)
      throw DataError(std::string(format.flag) + ": cannot read '" + item +
                      "' (expected e.g. yes=6,no=9)");
    per_class[folder_class->label] = n;
    pos = end + 1;
  }
}

AugmentReport augment_dataset(const AugmentOptions& o) {
  const fs::path data_dir = folder_path(o.data_dir);
  const fs::path out_dir = folder_path(o.out_dir);
  if (out_dir == data_dir)
    throw DataError(out_dir, "the output folder must differ from the input folder");
  check_folder_target(out_dir, o.overwrite);  // before the work, not after it
  const DatasetListing listing = list_dataset(data_dir);
  const fs::path build = temporary_name(out_dir);
  std::error_code ec;
  fs::remove_all(build, ec);
  // The input's folders (class folders, and Training/ or Testing/ above them) are kept.
  for (const LabelledFile& f : listing.files) {
    fs::create_directories(build / f.relative.parent_path(), ec);
    if (ec) throw DataError(build / f.relative.parent_path(), "cannot create: " + ec.message());
  }
  AugmentReport report;
  report.skipped = listing.skipped;
  const std::size_t n = listing.files.size();
  std::vector<std::string> errors(n);
  std::vector<int> written(n, 0), masks(n, 0);
#pragma omp parallel for schedule(dynamic)
  for (std::size_t i = 0; i < n; ++i) {
    const LabelledFile& f = listing.files[i];
    try {
      const fs::path file = data_dir / f.relative;
      const Image image = read_image_file(file, o.limits).rgb;
      std::optional<Image> mask;
      if (fs::is_regular_file(lesion_mask_path(file))) {
        const Image rgb = read_image_file(lesion_mask_path(file), o.limits).rgb;
        mask.emplace(rgb.width, rgb.height, 1);
        for (std::size_t k = 0; k < mask->pixels.size(); ++k) mask->pixels[k] = rgb.pixels[3 * k];
      }
      Rng rng(o.seed, 0xA06, i);
      for (int copy = 0; copy <= o.per_class[f.label]; ++copy) {
        const AugmentParams p = sample_augment(rng, image.width, image.height, o.ranges);
        const std::string stem = "aug_" + f.relative.stem().string() + "_" + std::to_string(copy) +
                                 "_" + std::to_string(rng.below(10000));
        const fs::path out_file = build / f.relative.parent_path() / (stem + ".jpg");
        write_image_file(out_file, apply_augment(image, p), o.jpeg_quality);
        ++written[i];
        if (mask && mask->width == image.width && mask->height == image.height) {
          std::error_code exists;  // another thread may have made the folder
          fs::create_directories(lesion_mask_path(out_file).parent_path(), exists);
          write_image_file(lesion_mask_path(out_file),
                           apply_augment(*mask, p, Resampling::nearest, false));
          ++masks[i];
        }
      }
    } catch (const std::exception& e) {
      errors[i] = e.what();
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    const int label = listing.files[i].label;
    if (!errors[i].empty()) {
      report.skipped.push_back({listing.files[i].relative.generic_string(), errors[i]});
      continue;
    }
    ++report.sources[label];
    report.written[label] += written[i];
    report.masks_written += masks[i];
  }
  install_folder(build, out_dir, o.overwrite);
  return report;
}

}  // namespace braincam::data
