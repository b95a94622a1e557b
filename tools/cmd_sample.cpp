// braincam sample: copy a documented, seeded subset of a prepared dataset into a folder of its
// own (data/sample_dataset.h).
#include <array>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "data/augment_dataset.h"
#include "data/sample_dataset.h"
#include "tools/commands.h"

namespace braincam::tools {
namespace {

std::vector<data::Split> splits_of(const std::string& text) {
  std::vector<data::Split> splits;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t end = std::min(text.find(',', pos), text.size());
    try {
      splits.push_back(data::split_from_name(text.substr(pos, end - pos)));
    } catch (const std::exception& e) {
      throw CLI::ValidationError("--split", e.what());
    }
    pos = end + 1;
  }
  return splits;
}

// Images per label, by label (no, yes); both must be given.
std::array<int, 2> count_of(const std::string& text) {
  std::array<int, 2> count{-1, -1};
  data::parse_per_class(text, count.data(), {"--count", std::numeric_limits<int>::max()});
  if (count[0] < 0 || count[1] < 0)
    throw CLI::ValidationError("--count",
                               "'" + text + "' must give both labels, e.g. yes=155,no=98");
  return count;
}

void print_report(const data::SampleReport& r, const std::string& out_dir) {
  for (const data::ClassDraw& c : r.draw.classes)
    std::printf("%-12s %s: %d images chosen of %d source groups\n", c.name.c_str(),
                c.label ? "tumor" : "no tumor", c.chosen, c.groups);
  if (r.draw.groups_left_out > 0)
    std::printf("%d groups left out: they have images in other splits too\n",
                r.draw.groups_left_out);
  std::printf("copied %zu images and %d masks to %s (listed in %s)\n", r.draw.chosen.size(),
              r.masks, out_dir.c_str(), data::kSampleListName);
}

}  // namespace

void add_sample_command(CLI::App& app) {
  struct Args {
    data::SampleOptions options;
    std::string splits, count;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "sample", "Copy a seeded subset of a prepared dataset (one image per source group)");
  cmd->add_option("--cache", args->options.cache_dir, "Cache folder made by `braincam prepare`")
      ->required();
  cmd->add_option("--out", args->options.out_dir,
                  "Folder to write: the chosen files under their dataset paths, sample.csv and "
                  "sample.json")
      ->required();
  cmd->add_option("--split", args->splits, "Splits to draw from, e.g. train,val or test")
      ->required();
  const CLI::Option* count =
      cmd->add_option("--count", args->count,
                      "Images per label, e.g. yes=155,no=98, one per source group, classes in "
                      "proportion; without it every image of the splits");
  cmd->add_option("--seed", args->options.request.seed, "Seed of the draw")->capture_default_str();
  cmd->add_flag("--overwrite", args->options.overwrite, "Replace --out if it exists");
  cmd->callback([args, count] {
    data::SampleRequest& request = args->options.request;
    request.splits = splits_of(args->splits);
    if (count->count() > 0) request.count = count_of(args->count);
    print_report(data::sample_dataset(args->options), args->options.out_dir.string());
  });
}

}  // namespace braincam::tools
