// braincam crossval: grouped, stratified k-fold cross-validation over the train and val splits
// (data/kfold.h), with and without attention. Each fold and variant is a full training run into
// OUT/fold<k>/<variant>, whose best checkpoint is scored on the held-out fold; OUT/crossval.json
// gets the folds' scores, their mean and sample standard deviation. The test split is not used.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "base/atomic_file.h"
#include "base/file_error.h"
#include "base/folder_lock.h"
#include "data/kfold.h"
#include "model/checkpoint.h"
#include "model/metrics.h"
#include "model/predict.h"
#include "model/recipe.h"
#include "model/trainer.h"
#include "tools/commands.h"
#include "tools/device_option.h"
#include "tools/fold_option.h"
#include "tools/number_checks.h"
#include "tools/recipe_options.h"
#include "tools/training_printout.h"

namespace braincam::tools {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct CrossvalArgs {
  TrainOptions train;  // the settings of every run (attention, fold and folder set per run)
  int folds = 5;
  std::string device = "auto", graph = "on";
};

// The two runs of each fold, named as in `braincam evaluate --compare`.
struct Variant {
  const char* name;
  bool attention;
};
constexpr Variant kVariants[] = {{"with_attention", true}, {"without_attention", false}};

// What a fold's run scores on the images it held out.
struct Scores {
  double accuracy = 0, f1 = 0, roc_auc = 0;
};
constexpr std::pair<const char*, double Scores::*> kScores[] = {
    {"accuracy", &Scores::accuracy}, {"f1", &Scores::f1}, {"roc_auc", &Scores::roc_auc}};

// The crossval folder: refused when it holds files unless `overwrite`, which removes them (all
// but the lock, which this command holds), so no run of an earlier cross-validation stays.
void start_crossval_folder(const fs::path& folder, bool overwrite) {
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().filename() == FolderLock::kFileName) continue;
    if (!overwrite)
      throw FileError(folder, "already holds files (pass --overwrite to replace them)");
    fs::remove_all(entry.path());
  }
}

Scores score_checkpoint(const fs::path& checkpoint, const data::DatasetCache& cache,
                        const std::vector<std::size_t>& held_out, const TrainOptions& o) {
  BrainDetectionModel model({}, DType::F32, o.device);
  const CheckpointMetadata meta = load_checkpoint(checkpoint, model);
  std::vector<int> labels;
  for (std::size_t i : held_out) labels.push_back(cache.label(i));
  const ClassificationMetrics m = classification_metrics(
      predict_probabilities(model, cache, held_out, trained_with_attention(meta), o.batch), labels);
  return {m.accuracy, m.f1, m.roc_auc};
}

// A fold's row of crossval.json, before its variants' scores: its number and held-out images.
json fold_row(int fold, const data::DatasetCache& cache, const std::vector<std::size_t>& held_out) {
  int tumor = 0;
  for (std::size_t i : held_out) tumor += cache.label(i);
  return {{"fold", fold}, {"images", held_out.size()}, {"tumor", tumor}};
}

json scores_json(const Scores& s) {
  json j;
  for (const auto& [name, field] : kScores) j[name] = s.*field;
  return j;
}

// A variant's scores per fold, and their mean and sample standard deviation (n - 1).
struct VariantScores {
  std::vector<Scores> folds;
  Scores mean, std;

  void summarize() {
    const double n = static_cast<double>(folds.size());
    for (const auto& [name, field] : kScores) {
      for (const Scores& s : folds) mean.*field += s.*field / n;
      for (const Scores& s : folds) std.*field += std::pow(s.*field - mean.*field, 2) / (n - 1);
      std.*field = std::sqrt(std.*field);
    }
  }
};

std::string cell(double v) {
  char b[32];
  if (std::isnan(v)) return "      n/a";
  std::snprintf(b, sizeof b, "%9.4f", v);
  return b;
}

void print_table(const json& rows, const VariantScores (&variants)[2]) {
  auto print_row = [&](const std::string& head, auto scores_of) {
    std::printf("%-14s", head.c_str());
    for (const VariantScores& v : variants) {
      const Scores& s = scores_of(v);
      std::printf("  %s %s %s", cell(s.accuracy).c_str(), cell(s.f1).c_str(),
                  cell(s.roc_auc).c_str());
    }
    std::printf("\n");
  };
  std::printf("\n%-16s%-29s  %s\n", "", "with attention", "without attention");
  std::printf("%-14s", "fold  images");
  for (int v = 0; v < 2; ++v) std::printf("  %9s %9s %9s", "accuracy", "F1", "ROC AUC");
  std::printf("\n");
  for (std::size_t k = 0; k < rows.size(); ++k) {
    char head[32];
    std::snprintf(head, sizeof head, "%4d  %6zu", rows[k]["fold"].get<int>(),
                  rows[k]["images"].get<std::size_t>());
    print_row(head, [k](const VariantScores& v) -> const Scores& { return v.folds[k]; });
  }
  print_row("mean", [](const VariantScores& v) -> const Scores& { return v.mean; });
  print_row("std (n-1)", [](const VariantScores& v) -> const Scores& { return v.std; });
}

json settings_json(const CrossvalArgs& a, const data::DatasetCache& cache) {
  const TrainOptions& o = a.train;
  json settings = {{"folds", a.folds},
                   {"seed", o.seed},
                   {"epochs", o.epochs},
                   {"batch", o.batch},
                   {"lr", o.lr},
                   {"warmup_epochs", o.warmup_epochs},
                   {"recipe", name_of(kRecipeNames, o.recipe)},
                   {"augment", data::to_string(o.augment)},
                   {"max_train_images", o.max_train_images},
                   {"device", device_name(o.device)},
                   {"cache", fs::absolute(o.cache).lexically_normal().string()},
                   {"cache_fingerprint", std::to_string(cache.fingerprint())}};
  // The training recipe, where it is not the default (as each run's checkpoints record it).
  const LrScheduleOptions& schedule = o.lr_schedule;
  if (schedule.kind != LrScheduleKind::constant)
    settings["lr_schedule"] = {{"kind", name_of(kLrScheduleNames, schedule.kind)},
                               {"lr_min", schedule.min_lr},
                               {"step_epochs", schedule.step_epochs},
                               {"gamma", schedule.gamma},
                               {"plateau_patience", schedule.plateau_patience}};
  if (o.early_stopping > 0) settings["early_stopping"] = o.early_stopping;
  if (o.balance != Balance::none) settings["balance"] = name_of(kBalanceNames, o.balance);
  if (o.weight_decay > 0) settings["weight_decay"] = o.weight_decay;
  return settings;
}

// Trains fold k's two runs and scores each on the fold; returns the fold's row of crossval.json.
json cross_validate_fold(const CrossvalArgs& a, const data::DatasetCache& cache,
                         const std::vector<int>& fold_of, int k, VariantScores (&variants)[2]) {
  const std::vector<std::size_t> held_out = data::fold_split(fold_of, k).held_out;
  json row = fold_row(k, cache, held_out);
  for (int v = 0; v < 2; ++v) {
    TrainOptions run = a.train;
    run.attention = kVariants[v].attention;
    run.fold = {.index = k, .count = a.folds};
    run.out = a.train.out / ("fold" + std::to_string(k)) / kVariants[v].name;
    run.overwrite = false;
    std::printf("== fold %d/%d, %s: %zu images held out\n", k, a.folds, kVariants[v].name,
                held_out.size());
    const TrainResult result = train(run, training_printout());
    variants[v].folds.push_back(
        score_checkpoint(run.out / "best.safetensors", cache, held_out, run));
    row[kVariants[v].name] = scores_json(variants[v].folds.back());
    row[kVariants[v].name]["best_epoch"] = result.best_epoch;
  }
  return row;
}

void run_crossval(CrossvalArgs& a, const data::DatasetCache& cache) {
  TrainOptions& o = a.train;
  o.device = resolve_device(a.device);
  o.graphs = a.graph == "on";
  const FolderLock lock(o.out, "another braincam crossval");
  start_crossval_folder(o.out, o.overwrite);
  const std::vector<int> fold_of = data::assign_folds(data::fold_inputs(cache), a.folds, o.seed);
  std::printf("%d folds of the train and val splits (seed %llu); the test split is not used\n",
              a.folds, static_cast<unsigned long long>(o.seed));

  json out = {{"settings", settings_json(a, cache)},
              {"folds", json::array()},
              {"std_note", "std: the sample standard deviation over the folds (n - 1)"}};
  VariantScores variants[2];
  for (int k = 1; k <= a.folds; ++k)
    out["folds"].push_back(cross_validate_fold(a, cache, fold_of, k, variants));
  for (int v = 0; v < 2; ++v) {
    variants[v].summarize();
    out["mean"][kVariants[v].name] = scores_json(variants[v].mean);
    out["std"][kVariants[v].name] = scores_json(variants[v].std);
  }
  print_table(out["folds"], variants);
  const fs::path file = o.out / "crossval.json";
  write_file_atomically(file, [&](std::ostream& s) { s << out.dump(2) << '\n'; });
  std::printf("wrote %s\n", file.c_str());
}

}  // namespace

void add_crossval_command(CLI::App& app) {
  auto a = std::make_shared<CrossvalArgs>();
  TrainOptions& o = a->train;
  CLI::App* cmd = app.add_subcommand(
      "crossval",
      "Grouped, stratified k-fold cross-validation over the train and val splits, with and "
      "without attention");
  cmd->add_option("--cache", o.cache, "the folder `braincam prepare` wrote")->required();
  cmd->add_option("--out", o.out, "folder of the runs (fold<k>/<variant>) and crossval.json")
      ->required();
  cmd->add_flag("--overwrite", o.overwrite, "replace what --out holds");
  cmd->add_option("--folds", a->folds,
                  "number of folds: at least 2, at most the source groups of the smallest class")
      ->capture_default_str();
  cmd->add_option("--epochs", o.epochs, "epochs of each run")
      ->capture_default_str()
      ->check(kPositive);
  cmd->add_option("--batch", o.batch, "batch size")->capture_default_str()->check(kPositive);
  cmd->add_option("--lr", o.lr, "Adam learning rate")->capture_default_str()->check(kPositive);
  cmd->add_option("--warmup-epochs", o.warmup_epochs,
                  "epochs without attention first (in the runs with attention)")
      ->capture_default_str()
      ->check(kNonNegative);
  cmd->add_option("--seed", o.seed, "seed of the folds and of every run")->capture_default_str();
  cmd->add_option("--device", a->device, kDeviceHelp)->capture_default_str();
  cmd->add_option("--graph", a->graph, "on|off: as for braincam train")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}));
  cmd->add_option("--max-train-images", o.max_train_images,
                  "train each run on a fixed random subset of this many of its images (0: all)")
      ->check(kNonNegative);
  add_recipe_options(*cmd, o);
  cmd->callback([a, cmd] {
    settle_recipe_options(*cmd, a->train);
    const data::DatasetCache cache = data::DatasetCache::open(a->train.cache);
    require_folds("--folds", cache, a->folds);
    run_crossval(*a, cache);
  });
}

}  // namespace braincam::tools
