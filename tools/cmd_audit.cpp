// braincam audit: whether a checkpoint reads the tumor or a shortcut that comes with it (blank,
// blurred, brain-only and background-only inputs, a per-source breakdown and, where lesion masks
// exist, the lesion filled in), in plain words, with audit.json. See model/shortcut_audit.h and
// docs/explanations.md.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

#include "base/atomic_file.h"
#include "base/file_io.h"
#include "data/brain_region.h"
#include "data/dataset_cache.h"
#include "data/image_codec.h"
#include "data/lesion_fill.h"
#include "data/preprocess.h"
#include "data/probe_images.h"
#include "model/checkpoint.h"
#include "model/checkpoint_background.h"
#include "model/shortcut_audit.h"
#include "model/shortcut_verdicts.h"
#include "tools/commands.h"
#include "tools/device_option.h"
#include "tools/threshold_option.h"

namespace braincam::tools {

namespace {
namespace fs = std::filesystem;

constexpr const char* kAuditFileName = "audit.json";
constexpr const char* kSheetFileName = "audit_probes.png";

struct AuditArgs {
  std::string checkpoint, split = "test", json_file, device = "auto", threshold;
  fs::path cache, out;
  std::uint64_t seed = 42;
};

std::string fixed(const char* format, double v) {
  char b[64];
  std::snprintf(b, sizeof b, std::isnan(v) ? "n/a" : format, v);
  return b;
}
std::string percent(double share) { return fixed("%.1f%%", 100 * share); }

void print_set(const char* name, const SetScores& s, const char* meaning) {
  std::printf("%-18s accuracy %s, balanced accuracy %s, ROC AUC %s (n = %lld)\n  %s\n", name,
              fixed("%.4f", s.accuracy).c_str(), fixed("%.4f", s.balanced_accuracy).c_str(),
              fixed("%.4f", s.roc_auc).c_str(), static_cast<long long>(s.n), meaning);
}

void print_by_label(const char* name, const ScoresByLabel& s, const char* meaning) {
  const auto one = [](const LabelScores& l) {
    return "mean p(tumor) " + fixed("%.3f", l.mean_probability) + ", " + percent(l.tumor_share) +
           " called tumor (n = " + std::to_string(l.n) + ")";
  };
  std::printf("%-18s tumor images: %s\n%-18s healthy images: %s\n  %s\n", name,
              one(s.tumor).c_str(), "", one(s.no_tumor).c_str(), meaning);
}

void print_blanks(const ShortcutAudit& a) {
  std::printf("%-18s", "blank inputs");
  for (const BlankProbe& b : a.blanks)
    std::printf(" %s p = %.4f%s;", b.name.c_str(), b.probability,
                b.probability > a.options.threshold ? " (tumor)" : "");
  std::printf(
      "\n  p(tumor) of an all-black, a mid-gray (%d) and a uniform-noise image (seed %llu): no "
      "anatomy at all, so a model that reads tumors calls none of them tumor.\n",
      data::kProbeGray, static_cast<unsigned long long>(a.options.seed));
}

void print_sources(const ShortcutAudit& a) {
  std::printf("per %s (the manifest's %s): accuracy, mean p(tumor)\n", a.source_key.c_str(),
              a.source_key == "class" ? "class column" : "folders");
  for (const SourceScores& s : a.sources)
    std::printf("  %-24s n = %-6lld tumor images %-6lld accuracy %s  mean p(tumor) %.3f\n",
                s.name.c_str(), static_cast<long long>(s.n), static_cast<long long>(s.tumor_images),
                percent(s.accuracy).c_str(), s.mean_probability);
  std::printf(
      "  A class or folder far below the others, or one whose mean p(tumor) sits at 0 or 1 for "
      "every image, is where the model may read the source rather than the scan.\n");
}

void print_lesion_fill(const ShortcutAudit& a) {
  const LesionFillScores& f = a.lesion_fill;
  if (f.n == 0) {
    std::printf("%-18s not run: no lesion masks for the split's tumor images\n", "lesion fill");
    return;
  }
  std::printf(
      "%-18s %s of tumor images still called tumor; mean p(tumor) %.3f -> %.3f (drop %.3f, n = "
      "%lld)\n  Each lesion (its mask grown by %d px) filled in from its surroundings (a harmonic "
      "fill): a model that reads the lesion stops calling these images tumor.\n",
      "lesion fill", percent(f.still_tumor_share).c_str(), f.mean_before, f.mean_after, f.mean_drop,
      static_cast<long long>(f.n), a.options.lesion_margin);
}

void print_verdicts(const std::vector<Verdict>& verdicts) {
  std::printf("\nverdicts (rule in brackets):\n");
  bool shortcut = false;
  for (const Verdict& v : verdicts) {
    std::printf("  %-12s %-16s %s [%s]\n", verdict_state_name(v.state), v.probe.c_str(),
                v.message.c_str(), v.rule.c_str());
    shortcut |= v.state == VerdictState::shortcut;
  }
  std::printf("%s\n", shortcut ? "verdict: SHORTCUT SIGNALLED. Distrust this model's accuracy as "
                                 "evidence that it detects tumors until the probes above pass."
                               : "verdict: no shortcut signalled by these probes (they cannot "
                                 "prove its absence).");
}

void print_audit(const AuditArgs& args, const ShortcutAudit& a,
                 const std::vector<Verdict>& verdicts, const LabelThreshold& threshold) {
  std::printf(
      "shortcut audit of %s on the %s split of %s; attention %s; tumor: p(tumor) > %.4f "
      "(%s)\n\n",
      args.checkpoint.c_str(), args.split.c_str(), args.cache.c_str(),
      a.options.attention ? "on" : "off", a.options.threshold,
      threshold.shown() ? threshold.source : "the default");
  const std::int64_t tumors = a.full_by_label.tumor.n;
  const double tumor_share = static_cast<double>(tumors) / (tumors + a.full_by_label.no_tumor.n);
  const std::string chance = "The split as it is: the yardstick for the probes below. " +
                             percent(tumor_share) +
                             " of its images are tumors, so a constant "
                             "answer scores " +
                             percent(std::max(tumor_share, 1 - tumor_share)) +
                             " accuracy: compare ROC AUC with 0.5 rather than accuracy with 50%.";
  print_set("full images", a.full, chance.c_str());
  print_blanks(a);
  const std::string blur_meaning =
      "Each image under a Gaussian blur of sigma " + fixed("%g", a.options.blur_sigma) +
      " px: no edges or texture are left, only coarse brightness. Healthy images called tumor "
      "here mean blur or brightness alone reads as tumor.";
  print_by_label(("blurred (" + fixed("%g", a.options.blur_sigma) + " px)").c_str(), a.blurred,
                 blur_meaning.c_str());
  print_set("brain only", a.brain_only,
            "The background blacked out: close to the full images when the model reads the head.");
  const std::string background_meaning =
      "The head (" + percent(a.brain_area_share) +
      " of the image on average) blacked out: a model that reads anatomy is near chance here "
      "(ROC AUC about 0.5); a high score means the classes differ outside the brain.";
  print_set("background only", a.background_only, background_meaning.c_str());
  print_sources(a);
  print_lesion_fill(a);
  print_verdicts(verdicts);
}

// The probe inputs for one image of the split (its first tumor image with a lesion mask, else its
// first tumor image, else its first): a sheet of 240-pixel tiles, in the order of the printout.
data::Image probe_sheet(const data::DatasetCache& cache, const std::vector<std::size_t>& ids,
                        const AuditOptions& o) {
  std::size_t pick = ids.front();
  std::optional<data::Image> mask;
  for (std::size_t i : ids)
    if (cache.label(i) == 1 && (mask = cache.lesion_mask(i))) {
      pick = i;
      break;
    }
  if (!mask)
    for (std::size_t i : ids)
      if (cache.label(i) == 1) {
        pick = i;
        break;
      }
  constexpr int side = data::kInputSize;
  data::Image image(side, side, data::kInputChannels);
  std::copy_n(cache.pixels(pick), image.pixels.size(), image.pixels.data());
  const std::vector<std::uint8_t> region = data::brain_region(image);
  std::vector<data::Image> tiles{data::blank_image(0),
                                 data::blank_image(data::kProbeGray),
                                 data::noise_image(o.seed),
                                 image,
                                 data::gaussian_blur(image, o.blur_sigma),
                                 data::keep_region(image, region, data::RegionKept::brain),
                                 data::keep_region(image, region, data::RegionKept::background)};
  if (mask)
    tiles.push_back(data::fill_from_surroundings(image, data::grow_mask(*mask, o.lesion_margin)));
  data::Image sheet(side * 4, side * 2, data::kInputChannels, 255);
  for (std::size_t t = 0; t < tiles.size(); ++t)
    for (int y = 0; y < side; ++y)
      std::copy_n(tiles[t].row(y), side * data::kInputChannels,
                  sheet.row(static_cast<int>(t / 4) * side + y) +
                      static_cast<std::size_t>(t % 4) * side * data::kInputChannels);
  return sheet;
}

void write_json(const fs::path& file, const nlohmann::json& j) {
  write_file_atomically(file, j.dump(2) + "\n");
  std::printf("wrote %s\n", file.c_str());
}

// The folders of --out and --json, made once the inputs are read and before the work, rather
// than failed on after it.
void make_output_folders(const AuditArgs& a) {
  const auto make = [](const char* flag, const fs::path& dir) {
    std::error_code ec;
    if (!dir.empty()) fs::create_directories(dir, ec);
    if (ec)
      throw std::runtime_error(std::string(flag) + " " + dir.string() +
                               ": cannot create the folder: " + ec.message());
  };
  make("--out", a.out);
  make("--json", fs::path(a.json_file).parent_path());
}

void run_audit(const AuditArgs& args) {
  const Device device = resolve_device(args.device);
  const data::DatasetCache cache = data::DatasetCache::open(args.cache);
  const std::vector<std::size_t> ids = cache.indices(data::split_from_name(args.split));
  if (ids.empty())
    throw std::runtime_error("--split " + args.split + ": the cache " + args.cache.string() +
                             " has no images in it");
  BrainDetectionModel model({}, DType::F32, device);
  const auto meta = load_checkpoint(args.checkpoint, model);
  require_cache_background(meta, args.checkpoint, cache, args.cache);
  const LabelThreshold threshold = label_threshold(args.threshold, meta, args.checkpoint);
  make_output_folders(args);
  AuditOptions o;
  o.threshold = threshold.value;
  o.attention = trained_with_attention(meta);
  o.seed = args.seed;
  const ShortcutAudit audit = shortcut_audit(model, cache, ids, o);
  const std::vector<Verdict> verdicts = shortcut_verdicts(audit);
  print_audit(args, audit, verdicts, threshold);

  nlohmann::json j = to_json(audit);
  j["checkpoint"] = args.checkpoint;
  j["split"] = args.split;
  j["verdicts"] = to_json(verdicts);
  if (!args.json_file.empty()) write_json(args.json_file, j);
  if (args.out.empty()) return;
  write_json(args.out / kAuditFileName, j);
  write_file_atomically(args.out / kSheetFileName, data::encode_png(probe_sheet(cache, ids, o)));
  std::printf("wrote %s (the probe inputs of one image)\n", (args.out / kSheetFileName).c_str());
}

}  // namespace

void add_audit_command(CLI::App& app) {
  auto a = std::make_shared<AuditArgs>();
  CLI::App* cmd = app.add_subcommand(
      "audit", "Shortcut audit: blank, blurred and masked inputs, per-source scores, lesion fill");
  cmd->add_option("--checkpoint", a->checkpoint, "a training checkpoint (RUN/best.safetensors)")
      ->required();
  cmd->add_option("--cache", a->cache, "the folder `braincam prepare` wrote")->required();
  cmd->add_option("--split", a->split, "train|val|test")
      ->capture_default_str()
      ->check(CLI::IsMember({"train", "val", "test"}));
  cmd->add_option("--out", a->out,
                  "write audit.json and audit_probes.png (the probe inputs) here, e.g. the run "
                  "folder, where braincam report finds them");
  cmd->add_option("--json", a->json_file, "also write the audit as JSON here");
  cmd->add_option("--seed", a->seed, "seed of the noise image")->capture_default_str();
  cmd->add_option("--device", a->device, kDeviceHelp)->capture_default_str();
  add_threshold_option(*cmd, a->threshold);
  cmd->callback([a] { run_audit(*a); });
}

}  // namespace braincam::tools
