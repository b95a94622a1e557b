// braincam augment: expand a dataset offline as the seed's augmented set was made
// (data/augment_dataset.h).
#include <cstdio>
#include <memory>
#include <string>

#include "data/augment_dataset.h"
#include "tools/commands.h"
#include "tools/max_pixels_option.h"

namespace braincam::tools {

void add_augment_command(CLI::App& app) {
  struct Args {
    data::AugmentOptions options;
    std::string per_class = "yes=6,no=9";
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "augment",
      "Write augmented copies of every image (rotation, shifts, shear, brightness, flips)");
  cmd->add_option("--data", args->options.data_dir,
                  "Dataset folder with yes/ and no/ class folders")
      ->required();
  cmd->add_option("--out", args->options.out_dir,
                  "Folder to write (yes/, no/, aug_<source>_<n>_<k>.jpg)")
      ->required();
  cmd->add_option("--per-class", args->per_class,
                  "Extra copies per source image and class; each source gives n+1 images")
      ->capture_default_str();
  cmd->add_option("--seed", args->options.seed, "Seed of the random transforms")
      ->capture_default_str();
  cmd->add_option("--jpeg-quality", args->options.jpeg_quality, "JPEG quality of the output")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_flag("--overwrite", args->options.overwrite, "Replace --out if it exists");
  add_max_pixels_option(*cmd, args->options.limits);
  cmd->callback([args] {
    data::parse_per_class(args->per_class, args->options.per_class);
    const data::AugmentReport r = data::augment_dataset(args->options);
    for (const auto& s : r.skipped)
      std::printf("skipped %s: %s\n", s.path.c_str(), s.reason.c_str());
    std::printf(
        "yes: %d sources -> %d images; no: %d sources -> %d images; %d masks; %zu skipped\n",
        r.sources[1], r.written[1], r.sources[0], r.written[0], r.masks_written, r.skipped.size());
    std::printf("wrote %s\n", args->options.out_dir.string().c_str());
  });
}

}  // namespace braincam::tools
