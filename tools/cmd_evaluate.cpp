// braincam evaluate: the metrics of a checkpoint on a split, and the seed's attention ablation.
#include <cmath>
#include <cstdio>

#include "base/atomic_file.h"
#include "model/checkpoint.h"
#include "model/metrics.h"
#include "model/predict.h"
#include "model/trainer.h"
#include "tools/charts.h"
#include "tools/commands.h"
#include "tools/device_option.h"

namespace braincam::tools {

namespace {

struct EvaluateArgs {
  std::string checkpoint, baseline, split = "test", json_file, charts_dir, device = "auto";
  std::filesystem::path cache;
  // --compare: train with and without attention and evaluate both.
  bool compare = false;
  TrainOptions train;
};

ClassificationMetrics evaluate_checkpoint(const std::filesystem::path& checkpoint,
                                          const data::DatasetCache& cache, data::Split split,
                                          Device device) {
  BrainDetectionModel model({}, DType::F32, device);
  const auto meta = load_checkpoint(checkpoint, model);
  const bool attention = meta.contains("attention") && meta.at("attention") == "on";
  const std::vector<std::size_t> ids = cache.indices(split);
  if (ids.empty()) throw std::runtime_error(cache.data_dir().string() + ": the split is empty");
  std::vector<int> labels;
  for (std::size_t i : ids) labels.push_back(cache.label(i));
  return classification_metrics(predict_probabilities(model, cache, ids, attention), labels);
}

void print_metrics(const std::vector<std::pair<std::string, ClassificationMetrics>>& columns) {
  std::printf("%-22s", "");
  for (const auto& [name, m] : columns) std::printf("%20s", name.c_str());
  std::printf("\n");
  auto row = [&](const char* label, auto value) {
    std::printf("%-22s", label);
    for (const auto& c : columns) std::printf("%20s", value(c.second).c_str());
    std::printf("\n");
  };
  auto num = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, std::isnan(v) ? "n/a" : "%.4f", v);
    return std::string(b);
  };
  auto count = [](std::int64_t v) { return std::to_string(v); };
  row("images", [&](const auto& m) { return count(m.count); });
  row("accuracy", [&](const auto& m) { return num(m.accuracy); });
  row("precision", [&](const auto& m) { return num(m.precision); });
  row("recall (sensitivity)", [&](const auto& m) { return num(m.recall); });
  row("specificity", [&](const auto& m) { return num(m.specificity); });
  row("F1", [&](const auto& m) { return num(m.f1); });
  row("ROC AUC", [&](const auto& m) { return num(m.roc_auc); });
  row("TP / FP",
      [&](const auto& m) { return count(m.confusion.tp) + " / " + count(m.confusion.fp); });
  row("FN / TN",
      [&](const auto& m) { return count(m.confusion.fn) + " / " + count(m.confusion.tn); });
  auto share = [&](std::int64_t part, std::int64_t whole) {
    return num(whole ? double(part) / whole : 0.0);
  };
  row("correct: yes share",
      [&](const auto& m) { return share(m.correct_yes, m.correct_yes + m.correct_no); });
  row("wrong: yes share",
      [&](const auto& m) { return share(m.wrong_yes, m.wrong_yes + m.wrong_no); });
}

void write_json(const std::string& file, const nlohmann::json& j) {
  write_file_atomically(file, [&](std::ostream& out) { out << j.dump(2) << '\n'; });
  std::printf("wrote %s\n", file.c_str());
}

// The folders of --charts and --json, made before any work rather than failed on after it.
void make_output_folders(const EvaluateArgs& a) {
  const auto make = [](const char* flag, const std::filesystem::path& dir) {
    std::error_code ec;
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    if (ec)
      throw std::runtime_error(std::string(flag) + " " + dir.string() +
                               ": cannot create the folder: " + ec.message());
  };
  if (!a.charts_dir.empty()) make("--charts", a.charts_dir);
  if (!a.json_file.empty()) make("--json", std::filesystem::path(a.json_file).parent_path());
}

void run_evaluate(EvaluateArgs& a) {
  make_output_folders(a);
  const Device device = resolve_device(a.device);
  const data::DatasetCache cache = data::DatasetCache::open(a.cache);
  const data::Split split = data::split_from_name(a.split);
  if (!a.baseline.empty()) {  // two trained checkpoints side by side, in the --compare format
    const ClassificationMetrics with = evaluate_checkpoint(a.checkpoint, cache, split, device);
    const ClassificationMetrics without = evaluate_checkpoint(a.baseline, cache, split, device);
    print_metrics({{"with_attention", with}, {"without_attention", without}});
    if (!a.json_file.empty())
      write_json(a.json_file, {{"with_attention", to_json(with)},
                               {"without_attention", to_json(without)},
                               {"split", a.split}});
    return;
  }
  if (!a.compare) {
    const ClassificationMetrics m = evaluate_checkpoint(a.checkpoint, cache, split, device);
    print_metrics({{a.split, m}});
    if (!a.json_file.empty()) write_json(a.json_file, to_json(m));
    if (!a.charts_dir.empty()) {
      plot_evaluation_charts(to_json(m), a.checkpoint, a.charts_dir);
      std::printf("wrote the confusion matrix, ROC and error-analysis charts to %s\n",
                  a.charts_dir.c_str());
    }
    return;
  }
  // The seed's table 6.2: the same split and seed, trained with and without attention.
  std::vector<std::pair<std::string, ClassificationMetrics>> columns;
  nlohmann::json out;
  for (const bool attention : {true, false}) {
    TrainOptions o = a.train;
    o.cache = a.cache;
    o.device = device;
    o.attention = attention;
    const std::string name = attention ? "with_attention" : "without_attention";
    o.out = a.train.out / name;
    std::printf("== training %s\n", name.c_str());
    train(o);
    columns.emplace_back(name,
                         evaluate_checkpoint(o.out / "best.safetensors", cache, split, device));
    out[name] = to_json(columns.back().second);
  }
  out["split"] = a.split;
  print_metrics(columns);
  write_json(a.json_file.empty() ? (a.train.out / "compare.json").string() : a.json_file, out);
}

}  // namespace

void add_evaluate_command(CLI::App& app) {
  auto a = std::make_shared<EvaluateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "evaluate", "Metrics of a checkpoint on a split, or the attention ablation (--compare)");
  cmd->add_option("--checkpoint", a->checkpoint, "a checkpoint written by braincam train");
  cmd->add_option("--cache", a->cache, "the folder `braincam prepare` wrote")->required();
  cmd->add_option("--split", a->split, "train|val|test")
      ->capture_default_str()
      ->check(CLI::IsMember({"train", "val", "test"}));
  cmd->add_option("--json", a->json_file, "also write the metrics as JSON here");
  cmd->add_option("--charts", a->charts_dir,
                  "also draw the confusion matrix, ROC curve and error analysis (PNG) here");
  cmd->add_option("--device", a->device, kDeviceHelp)->capture_default_str();
  cmd->add_option(
      "--baseline", a->baseline,
      "a second checkpoint (trained without attention) to compare --checkpoint with, side by side");
  cmd->add_flag("--compare", a->compare,
                "train with and without attention (same split and seed) and compare");
  cmd->add_option("--out", a->train.out, "with --compare: folder of the two runs");
  cmd->add_flag("--overwrite", a->train.overwrite,
                "with --compare: replace the two runs if --out holds them already");
  cmd->add_option("--epochs", a->train.epochs, "with --compare: epochs of each run")
      ->capture_default_str();
  cmd->add_option("--seed", a->train.seed, "with --compare: seed of both runs")
      ->capture_default_str();
  cmd->add_option("--max-train-images", a->train.max_train_images,
                  "with --compare: train on a subset");
  cmd->callback([a] {
    if (a->compare && a->train.out.empty()) throw CLI::RequiredError("--out (with --compare)");
    if (!a->compare && a->checkpoint.empty()) throw CLI::RequiredError("--checkpoint");
    run_evaluate(*a);
  });
}

}  // namespace braincam::tools
