#include "data/synth_dataset.h"

#include <cmath>
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

SynthDraw draw_synth_image(const Anatomy& anatomy, const SynthDifficulty& d, Rng& rng, bool tumor,
                           int index) {
  const double u = tumor ? 1.0 : rng.uniform();
  const SynthFrame frame = u < kEmptyFrameShare                     ? SynthFrame::empty
                           : u < kEmptyFrameShare + kEdgeSliceShare ? SynthFrame::edge_slice
                                                                    : SynthFrame::brain;
  SlicePlane plane{static_cast<double>(anatomy.middle_slice())};
  if (frame == SynthFrame::brain) {
    plane.z = rng.uniform(anatomy.first_slice(), anatomy.last_slice());
  } else if (frame == SynthFrame::edge_slice) {
    const std::vector<int>& edge = anatomy.edge_slices();
    plane.z = edge[rng.below(edge.size())];
  }
  if (frame != SynthFrame::empty) {
    plane.pitch_deg = rng.uniform(-kSlicePitchDeg, kSlicePitchDeg);
    plane.roll_deg = rng.uniform(-kSliceRollDeg, kSliceRollDeg);
  }
  SynthDraw draw{anatomy.slice(plane), {}};
  if (frame != SynthFrame::brain) {  // framed like a slice through the brain
    const AxialSlice middle = anatomy.slice(anatomy.middle_slice());
    draw.slice.head_x0 = middle.head_x0;
    draw.slice.head_y0 = middle.head_y0;
    draw.slice.head_x1 = middle.head_x1;
    draw.slice.head_y1 = middle.head_y1;
  }
  const auto contrast = static_cast<Contrast>(index % 3);
  draw.params = sample_synth_params(rng, d, draw.slice, plane, frame, contrast, tumor);
  return draw;
}

SynthReport synthesize_dataset(const SynthOptions& o) {
  if (o.count < 2) throw DataError("--count must be at least 2 (one image of each class)");
  const fs::path out_dir = folder_path(o.out_dir);
  check_folder_target(out_dir, o.overwrite);  // before the work, not after it
  const SynthDifficulty difficulty = synth_difficulty(o.difficulty);
  SynthReport report;
  report.anatomy = anatomy_path(o.anatomy);
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
#pragma omp parallel for schedule(dynamic)
  for (int k = 0; k < n; ++k) {
    const bool tumor = k < report.tumor;
    const int index = tumor ? k : k - report.tumor;  // within the class
    std::string stem(tumor ? "Y" : "N");
    stem += std::to_string(index + 1);
    try {
      Rng rng(o.seed, tumor ? 1 : 0, static_cast<std::uint64_t>(index));
      const SynthDraw draw = draw_synth_image(anatomy, difficulty, rng, tumor, index);
      const SynthImageParams& p = draw.params;
      const SynthImage image = render_synth_image(draw.slice, p, rng);
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
