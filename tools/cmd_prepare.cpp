// braincam prepare: preprocess a dataset into a cache folder (data/prepare_dataset.h).
#include <charconv>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "data/dataset_eda.h"
#include "data/dataset_figures.h"
#include "data/prepare_dataset.h"
#include "tools/choice_option.h"
#include "tools/commands.h"
#include "tools/max_pixels_option.h"

namespace braincam::tools {
namespace {

std::optional<int> near_duplicate_distance(const std::string& text) {
  if (text == "off") return std::nullopt;
  int bits = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bits);
  if (ec != std::errc() || end != text.data() + text.size() || bits < 0 || bits > 32)
    throw CLI::ValidationError("--near-duplicates",
                               "'" + text + "' is not a number of bits from 0 to 32, nor off");
  return bits;
}

}  // namespace

void add_prepare_command(CLI::App& app) {
  struct Args {
    data::PrepareOptions options;
    std::string figure, policy = "grouped", straddling = "to-training";
    std::string near_duplicates = std::to_string(data::kNearDuplicateDistance);
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "prepare", "Crop, resize and split a dataset (class folders) into a cache folder");
  cmd->add_option("--data", args->options.data_dir,
                  "Dataset folder with class folders: yes/ and no/, or glioma/, meningioma/, "
                  "pituitary/ and notumor/ (under Training/ and Testing/ or not)")
      ->required();
  cmd->add_option("--out", args->options.cache_dir,
                  "Cache folder to write (manifest.csv, eda.json, images.bin)")
      ->required();
  cmd->add_option("--seed", args->options.split.seed, "Seed of the train/val/test split")
      ->capture_default_str();
  cmd->add_option("--split-policy", args->policy,
                  "grouped: stratified 70/15/15, grouped by source; folders: the dataset's own "
                  "Training/ and Testing/, validation from Training/; per-file: every file on its "
                  "own, the seed's leaky protocol")
      ->capture_default_str()
      ->check(CLI::IsMember({"grouped", "folders", "per-file"}));
  cmd->add_option("--straddling-groups", args->straddling,
                  "with --split-policy folders: groups with images in both Training/ and "
                  "Testing/ go to the training side (to-training) or stay split (keep)")
      ->capture_default_str()
      ->check(CLI::IsMember({"to-training", "keep"}));
  cmd->add_option("--near-duplicates", args->near_duplicates,
                  "largest perceptual-hash distance (bits of 64) that joins two images in one "
                  "group, or off")
      ->capture_default_str();
  add_choice(*cmd, "--background", args->options.background, data::kBackgroundNames,
             "keep: the inputs as cropped; black: every pixel outside the head set to 0, so that "
             "a model cannot read the scanner's background (docs/real-data.md)");
  cmd->add_flag("--force", args->options.force, "Rebuild even when the cache is up to date");
  add_max_pixels_option(*cmd, args->options.limits);
  cmd->add_option(
      "--figure", args->figure,
      "Also write a PNG showing originals with their crop box, the crops and the 240x240 inputs");
  cmd->callback([args] {
    data::PrepareOptions& o = args->options;
    o.split.policy = data::policy_from_name(args->policy);
    o.split.straddling = args->straddling == "keep" ? data::StraddlingGroups::keep
                                                    : data::StraddlingGroups::to_training;
    o.grouping.near_duplicate_distance = near_duplicate_distance(args->near_duplicates);
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
