// braincam prepare: preprocess a dataset into a cache folder (data/prepare_dataset.h).
#include <cstdio>
#include <memory>
#include <string>

#include "data/dataset_eda.h"
#include "data/dataset_figures.h"
#include "data/prepare_dataset.h"
#include "tools/commands.h"
#include "tools/max_pixels_option.h"

namespace braincam::tools {

void add_prepare_command(CLI::App& app) {
  struct Args {
    data::PrepareOptions options;
    std::string figure;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "prepare", "Crop, resize and split a dataset (yes/ and no/ folders) into a cache folder");
  cmd->add_option("--data", args->options.data_dir,
                  "Dataset folder with yes/ and no/ class folders")
      ->required();
  cmd->add_option("--out", args->options.cache_dir,
                  "Cache folder to write (manifest.csv, eda.json, images.bin)")
      ->required();
  cmd->add_option("--seed", args->options.seed, "Seed of the train/val/test split")
      ->capture_default_str();
  cmd->add_flag("--force", args->options.force, "Rebuild even when the cache is up to date");
  add_max_pixels_option(*cmd, args->options.limits);
  cmd->add_option(
      "--figure", args->figure,
      "Also write a PNG showing originals with their crop box, the crops and the 240x240 inputs");
  cmd->callback([args] {
    const data::PrepareReport report = data::prepare_dataset(args->options);
    std::printf("%s", data::eda_table(report.eda).c_str());
    std::printf("%s %s (fingerprint %016llx)\n",
                report.rebuilt ? "wrote" : "up to date:", args->options.cache_dir.string().c_str(),
                static_cast<unsigned long long>(report.fingerprint));
    if (!args->figure.empty()) {
      data::write_prepare_figure(args->options.cache_dir, args->figure, args->options.limits);
      std::printf("wrote %s\n", args->figure.c_str());
    }
  });
}

}  // namespace braincam::tools
