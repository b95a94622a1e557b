// braincam sanity: whether each CAM method's maps depend on what the model learned (Adebayo et
// al. 2018): the model-parameter randomization test and, given a model trained on shuffled
// labels, the data randomization test, in plain words, with sanity.json and a figure per method.
// See model/saliency_sanity.h and docs/explanations.md, "Sanity checks".
#include <cmath>
#include <cstdio>
#include <memory>

#include "base/atomic_file.h"
#include "data/dataset_cache.h"
#include "data/image_codec.h"
#include "data/preprocess.h"
#include "model/checkpoint.h"
#include "model/checkpoint_background.h"
#include "model/saliency_sanity.h"
#include "tools/commands.h"
#include "tools/device_option.h"
#include "tools/number_checks.h"
#include "tools/sanity_sheet.h"

namespace braincam::tools {

namespace {
namespace fs = std::filesystem;

constexpr const char* kSanityFileName = "sanity.json";

struct SanityArgs {
  std::string checkpoint, shuffled_checkpoint, split = "test", json_file, device = "auto";
  fs::path cache, out;
  int images = 64;
  SanityOptions options;
};

// The split's first `count` tumor images, in the cache's order.
std::vector<std::size_t> tumor_images(const data::DatasetCache& cache, const SanityArgs& a) {
  std::vector<std::size_t> ids;
  for (std::size_t i : cache.indices(data::split_from_name(a.split)))
    if (cache.label(i) == 1 && static_cast<int>(ids.size()) < a.images) ids.push_back(i);
  if (ids.empty())
    throw std::runtime_error("--split " + a.split + ": the cache " + a.cache.string() +
                             " has no tumor images in it");
  return ids;
}

// What the shuffled-label checkpoint's metadata says against its use, one warning a line.
std::vector<std::string> shuffled_warnings(const SanityArgs& a, const CheckpointMetadata& trained,
                                           const CheckpointMetadata& shuffled) {
  std::vector<std::string> w;
  const std::string& file = a.shuffled_checkpoint;
  if (!trained_on_shuffled_labels(shuffled))
    w.push_back("--shuffled-checkpoint " + file +
                " does not carry the shuffled-label mark (options.shuffle_labels) in its "
                "metadata: it was not trained with `braincam train --shuffle-labels`, so the "
                "data randomization test below compares two models trained on true labels");
  if (!shuffled.contains("epochs"))
    w.push_back("--shuffled-checkpoint " + file +
                " is not a run's last.safetensors: a best.safetensors is picked on the true "
                "validation labels and may agree with them by chance; prefer RUN/last.safetensors");
  if (shuffled.contains("cache_fingerprint") && trained.contains("cache_fingerprint") &&
      shuffled.at("cache_fingerprint") != trained.at("cache_fingerprint"))
    w.push_back("--shuffled-checkpoint " + file + " was trained on another dataset cache than " +
                a.checkpoint);
  return w;
}

std::string with_interval(double mean, const Interval& i) {
  char b[96];
  if (std::isnan(i.low))
    std::snprintf(b, sizeof b, "%6.3f", mean);
  else
    std::snprintf(b, sizeof b, "%6.3f [%6.3f, %6.3f]", mean, i.low, i.high);
  return b;
}

void print_row(const std::string& stage, const SimilaritySummary& s) {
  std::printf("  %-30s %-26s %-26s %d\n", stage.c_str(),
              with_interval(s.rank_correlation_mean, s.rank_correlation_interval).c_str(),
              with_interval(s.ssim_mean, s.ssim_interval).c_str(), s.constant_maps);
}

void print_method(const SaliencySanity& s, const MethodSanity& m) {
  std::printf("\n%s\n  %-30s %-26s %-26s %s\n", cam_method_name(m.method), "compared with",
              "rank corr [95% interval]", "SSIM [95% interval]", "constant maps");
  // One more layer re-drawn per row: the first names it, the others add theirs.
  for (std::size_t k = 0; k < m.stages.size(); ++k) {
    const bool all = k + 1 == m.stages.size();
    print_row((k ? "+ " : "") + s.layers[k].name + " re-drawn" + (all ? " (all layers)" : ""),
              m.stages[k]);
  }
  if (m.shuffled) print_row("shuffled-label model", *m.shuffled);
}

void print_verdicts(const SaliencySanity& s) {
  const double t = s.options.fail_rank_correlation;
  std::printf(
      "\nrule: a method FAILS the parameter test when its mean rank correlation with every "
      "layer re-drawn is >= %g, and the data test when its mean rank correlation with the "
      "shuffled-label model is >= %g: its maps did not change enough to be explaining what the "
      "model learned.\n",
      t, t);
  // A strongly negative correlation passes the rule, but the map flipped rather than changed.
  const auto inverted = [t](double r) { return r <= -t ? ", inverted" : ""; };
  int failed = 0;
  bool any_inverted = false;
  for (const MethodSanity& m : s.methods) {
    const double full = m.stages.back().rank_correlation_mean;
    const char* data = !m.shuffled ? "not run" : m.data_test_failed ? "FAIL" : "pass";
    std::printf("  %-10s parameter test %-4s (rank corr %.3f%s)   data test %-7s",
                cam_method_name(m.method), m.parameter_test_failed ? "FAIL" : "pass", full,
                inverted(full), data);
    if (m.shuffled)
      std::printf(" (rank corr %.3f%s)", m.shuffled->rank_correlation_mean,
                  inverted(m.shuffled->rank_correlation_mean));
    std::printf("\n");
    failed += m.parameter_test_failed || m.data_test_failed;
    any_inverted |= *inverted(full) || (m.shuffled && *inverted(m.shuffled->rank_correlation_mean));
  }
  if (any_inverted)
    std::printf(
        "inverted: a mean rank correlation at or below -%g passes the rule (the map "
        "changed with the model), but the map is close to the trained one's reversed: it "
        "may follow the same image structure with its sign set by the model.\n",
        t);
  if (!s.shuffled)
    std::printf(
        "The data test was not run: give --shuffled-checkpoint, the last checkpoint of a "
        "run of `braincam train --shuffle-labels`.\n");
  if (failed)
    std::printf(
        "verdict: %d of %zu methods FAIL: their maps are not evidence of what the model "
        "learned.\n",
        failed, s.methods.size());
  else
    std::printf("verdict: every method passes the tests run.\n");
}

void print_sanity(const SanityArgs& a, const SaliencySanity& s, bool attention) {
  std::printf(
      "saliency sanity checks of %s on %zu tumor images of the %s split of %s; attention %s; "
      "every map explains \"tumor\"\n\n"
      "Each row compares one method's maps of the trained model with its maps of another model, "
      "on the same images:\n"
      "  rank corr      Spearman's rank correlation of the pixels: 1 the same order, 0 unrelated, "
      "-1 reversed\n"
      "  SSIM           structural similarity: 1 identical, near 0 unrelated\n"
      "  constant maps  images where the other model's map is flat (no pixel above another)\n"
      "Means over the images, with a 95%% bootstrap interval over images; the maps as the panels "
      "show them (upsampled to the input, min-max normalized, signed).\n"
      "Parameter randomization: the trained model with its layers re-drawn from their "
      "initialization (seed %llu) from the output back, one more per row. A method whose maps "
      "explain the model changes as layers are re-drawn.\n",
      a.checkpoint.c_str(), s.images, a.split.c_str(), a.cache.c_str(), attention ? "on" : "off",
      static_cast<unsigned long long>(s.options.seed));
  if (s.shuffled)
    std::printf(
        "Data randomization: %s, trained on shuffled labels; it learned no tumor, so "
        "maps that explain the model differ from the trained model's.\n",
        a.shuffled_checkpoint.c_str());
  for (const MethodSanity& m : s.methods) print_method(s, m);
  print_verdicts(s);
}

// The folders of --out and --json, made once the inputs are read and before the work.
void make_output_folders(const SanityArgs& a) {
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

// One sheet per method in `out`; returns their file names, by method.
nlohmann::json write_sheets(const fs::path& out, const SaliencySanity& s,
                            const data::DatasetCache& cache, const std::vector<std::size_t>& ids) {
  std::vector<data::Image> inputs;
  for (std::size_t k = 0; k < static_cast<std::size_t>(s.methods.front().examples[0].dim(0)); ++k) {
    data::Image image(data::kInputSize, data::kInputSize, data::kInputChannels);
    std::copy_n(cache.pixels(ids[k]), image.pixels.size(), image.pixels.data());
    inputs.push_back(std::move(image));
  }
  nlohmann::json files = nlohmann::json::object();
  for (const MethodSanity& m : s.methods) {
    const std::string name = std::string("sanity_") + cam_method_name(m.method) + ".png";
    write_file_atomically(out / name, data::encode_png(sanity_sheet(inputs, m.examples)));
    files[cam_method_name(m.method)] = name;
  }
  std::printf(
      "wrote %s/sanity_<method>.png (rows: the first %zu images; columns: the trained "
      "model, each stage, %s)\n",
      out.c_str(), inputs.size(),
      s.shuffled ? "the shuffled-label model" : "no shuffled-label model");
  return files;
}

void write_json(const fs::path& file, const nlohmann::json& j) {
  write_file_atomically(file, j.dump(2) + "\n");
  std::printf("wrote %s\n", file.c_str());
}

void run_sanity(const SanityArgs& a) {
  const Device device = resolve_device(a.device);
  const data::DatasetCache cache = data::DatasetCache::open(a.cache);
  const std::vector<std::size_t> ids = tumor_images(cache, a);
  BrainDetectionModel trained({}, DType::F32, device);
  const CheckpointMetadata meta = load_checkpoint(a.checkpoint, trained);
  require_cache_background(meta, a.checkpoint, cache, a.cache);
  std::vector<std::string> warnings;
  if (trained_on_shuffled_labels(meta))
    warnings.push_back("--checkpoint " + a.checkpoint +
                       " was trained on shuffled labels: the model under test learned no tumor");
  std::unique_ptr<BrainDetectionModel> shuffled;
  ExplainedModel shuffled_model;
  if (!a.shuffled_checkpoint.empty()) {
    shuffled = std::make_unique<BrainDetectionModel>(ModelShape{}, DType::F32, device);
    const CheckpointMetadata shuffled_meta = load_checkpoint(a.shuffled_checkpoint, *shuffled);
    require_cache_background(shuffled_meta, a.shuffled_checkpoint, cache, a.cache);
    for (std::string& w : shuffled_warnings(a, meta, shuffled_meta)) warnings.push_back(w);
    shuffled_model = {shuffled.get(), trained_with_attention(shuffled_meta)};
  }
  make_output_folders(a);
  for (const std::string& w : warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
  const bool attention = trained_with_attention(meta);
  const SaliencySanity s =
      saliency_sanity({&trained, attention}, shuffled_model, cache, ids, a.options);
  print_sanity(a, s, attention);

  nlohmann::json j = to_json(s);
  j["checkpoint"] = a.checkpoint;
  j["shuffled_checkpoint"] =
      a.shuffled_checkpoint.empty() ? nlohmann::json() : nlohmann::json(a.shuffled_checkpoint);
  j["split"] = a.split;
  j["attention"] = attention;
  j["warnings"] = warnings;
  if (!a.out.empty()) j["sheets"] = write_sheets(a.out, s, cache, ids);
  if (!a.json_file.empty()) write_json(a.json_file, j);
  if (!a.out.empty()) write_json(a.out / kSanityFileName, j);
}

}  // namespace

void add_sanity_command(CLI::App& app) {
  auto a = std::make_shared<SanityArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sanity", "Sanity checks of the CAM methods: maps under parameter and label randomization");
  cmd->add_option("--checkpoint", a->checkpoint, "the trained model (RUN/best.safetensors)")
      ->required();
  cmd->add_option("--cache", a->cache, "the folder `braincam prepare` wrote")->required();
  cmd->add_option("--split", a->split, "train|val|test: the tumor images explained come from it")
      ->capture_default_str()
      ->check(CLI::IsMember({"train", "val", "test"}));
  cmd->add_option("--images", a->images, "the split's first this many tumor images")
      ->capture_default_str()
      ->check(kPositive);
  cmd->add_option("--shuffled-checkpoint", a->shuffled_checkpoint,
                  "a model trained on shuffled labels (`braincam train --shuffle-labels`, its "
                  "RUN/last.safetensors): runs the data randomization test");
  cmd->add_option("--out", a->out,
                  "write sanity.json and sanity_<method>.png here, e.g. the run folder, where "
                  "braincam report finds them");
  cmd->add_option("--json", a->json_file, "also write the results as JSON here");
  cmd->add_option("--seed", a->options.seed,
                  "seed of the re-drawn layers and of the bootstrap's resamples")
      ->capture_default_str();
  cmd->add_option("--device", a->device, kDeviceHelp)->capture_default_str();
  cmd->callback([a] { run_sanity(*a); });
}

}  // namespace braincam::tools
