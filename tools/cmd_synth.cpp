// braincam synth: generate the synthetic MRI dataset on Colin27 anatomy (data/synth_dataset.h).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "data/dataset_figures.h"
#include "data/synth_anatomy.h"
#include "data/synth_dataset.h"
#include "tools/commands.h"

namespace braincam::tools {

void add_synth_command(CLI::App& app) {
  struct Args {
    data::SynthOptions options;
    std::string figure;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "synth", "Generate a synthetic tumor / no-tumor MRI dataset in the Kaggle layout");
  cmd->add_option("--out", args->options.out_dir,
                  "Folder to write (yes/, no/, masks/yes/, synth.json)")
      ->required();
  cmd->add_option("--count", args->options.count, "Number of images (1,085 of 2,065 with a tumor)")
      ->check(CLI::Range(2, 1000000))
      ->capture_default_str();
  cmd->add_option("--seed", args->options.seed, "Seed; the same seed gives byte-identical files")
      ->capture_default_str();
  cmd->add_option("--difficulty", args->options.difficulty, "Lesion visibility preset")
      ->check(CLI::IsMember({"easy", "default", "hard"}))
      ->capture_default_str();
  cmd->add_option("--anatomy", args->options.anatomy,
                  std::string("Colin27 head, NIfTI (default: $BRAINCAM_ANATOMY or ") +
                      data::kDefaultAnatomy + ")");
  cmd->add_option("--brain-mask", args->options.brain_mask,
                  "Brain mask on the same grid (default: <head>bet.nii.gz next to the head)");
  cmd->add_flag("--overwrite", args->options.overwrite, "Replace --out if it exists");
  cmd->add_option("--figure", args->figure,
                  "Also write a PNG of example slices with and without lesions");
  cmd->callback([args] {
    const auto start = std::chrono::steady_clock::now();
    const data::SynthReport r = data::synthesize_dataset(args->options);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("wrote %s: %d tumor and %d healthy images (%s, seed %llu) in %.1f s\n",
                args->options.out_dir.string().c_str(), r.tumor, r.healthy,
                args->options.difficulty.c_str(),
                static_cast<unsigned long long>(args->options.seed), seconds);
    if (!args->figure.empty()) {
      data::write_synth_figure(args->options.out_dir, args->figure);
      std::printf("wrote %s\n", args->figure.c_str());
    }
  });
}

}  // namespace braincam::tools
