#include "data/synth_dataset.h"

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <vector>

#include "base/atomic_file.h"
#include "base/file_io.h"
#include "data/data_error.h"
#include "data/image_codec.h"
#include "data/synth_anatomy.h"
#include "data/synth_image.h"

namespace braincam::data {
namespace fs = std::filesystem;

SynthReport synthesize_dataset(const SynthOptions& o) {
  if (o.count < 2) throw DataError("--count must be at least 2 (one image of each class)");
  const fs::path out_dir = folder_path(o.out_dir);
  check_folder_target(out_dir, o.overwrite);  // before the work, not after it
  const SynthDifficulty difficulty = synth_difficulty(o.difficulty);
  SynthReport report;
  report.anatomy = o.anatomy;
  if (report.anatomy.empty()) {
    const char* env = std::getenv("BRAINCAM_ANATOMY");
    report.anatomy = env && *env ? fs::path(env) : fs::path(kDefaultAnatomy);
  }
  const fs::path mask = o.brain_mask.empty() ? default_brain_mask(report.anatomy) : o.brain_mask;
  const Anatomy anatomy(report.anatomy, mask);

  report.tumor = std::clamp(
      static_cast<int>(std::lround(static_cast<double>(o.count) * kSeedTumorImages / kSeedImages)),
      1, o.count - 1);
  report.healthy = o.count - report.tumor;
  const fs::path build = temporary_name(out_dir);
  std::error_code ec;
  fs::remove_all(build, ec);
  for (const char* d : {"yes", "no", "masks/yes"}) {
    fs::create_directories(build / d, ec);
    if (ec) throw DataError(build / d, "cannot create: " + ec.message());
  }

  const int n = o.count;
  std::vector<nlohmann::json> records(n);
  std::vector<std::string> errors(n);
  const int slices = anatomy.last_slice() - anatomy.first_slice() + 1;
#pragma omp parallel for schedule(dynamic)
  for (int k = 0; k < n; ++k) {
    const bool tumor = k < report.tumor;
    const int index = tumor ? k : k - report.tumor;  // within the class
    std::string stem(tumor ? "Y" : "N");
    stem += std::to_string(index + 1);
    try {
      Rng rng(o.seed, tumor ? 1 : 0, static_cast<std::uint64_t>(index));
      const int z =
          anatomy.first_slice() + static_cast<int>(rng.below(static_cast<std::uint64_t>(slices)));
      const AxialSlice slice = anatomy.slice(z);
      // Contrast alternates within each class, so that it cannot hint at the label.
      const SynthImageParams p =
          sample_synth_params(rng, difficulty, slice, z, tumor, index % 2 == 1);
      const SynthImage image = render_synth_image(slice, p, rng);
      std::string file(tumor ? "yes/" : "no/");
      file.append(stem).append(".jpg");
      write_image_file(build / file, image.image, p.jpeg_quality);
      nlohmann::json r = {{"file", file}, {"label", tumor ? 1 : 0}};
      if (tumor) {
        r["mask"] = "masks/yes/" + stem + ".png";
        write_image_file(build / r["mask"].get<std::string>(), image.mask);
      }
      r["params"] = to_json(p);
      records[k] = std::move(r);
    } catch (const std::exception& e) {
      errors[k] = stem + ": " + e.what();
    }
  }
  for (const std::string& e : errors)
    if (!e.empty()) {
      fs::remove_all(build, ec);
      throw DataError(o.out_dir, "synthesis failed: " + e);
    }
  const nlohmann::json doc = {
      {"generator", "braincam synth"},
      {"format_version", 1},
      {"seed", o.seed},
      {"count", n},
      {"tumor", report.tumor},
      {"healthy", report.healthy},
      {"anatomy", {{"head", report.anatomy.string()}, {"brain_mask", mask.string()}}},
      {"difficulty", to_json(difficulty)},
      {"images", records}};
  write_file_atomically(build / "synth.json", doc.dump(1) + "\n");
  install_folder(build, out_dir, o.overwrite);
  return report;
}

}  // namespace braincam::data
