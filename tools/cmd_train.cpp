// braincam train: the spec's training schedule over a prepared dataset cache.
#include <atomic>
#include <csignal>
#include <cstdio>

#include "model/trainer.h"
#include "tools/charts.h"
#include "tools/choice_option.h"
#include "tools/commands.h"
#include "tools/device_option.h"
#include "tools/fold_option.h"
#include "tools/number_checks.h"
#include "tools/recipe_options.h"
#include "tools/training_printout.h"

namespace braincam::tools {

namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) { g_interrupted = true; }

struct TrainArgs {
  TrainOptions options;
  std::string device = "auto", graph = "on", fold, threshold = "validation";
  bool no_attention = false;
  bool no_charts = false;
};

void run_train(TrainArgs& a) {
  TrainOptions& o = a.options;
  o.device = resolve_device(a.device);
  o.graphs = a.graph == "on";
  o.attention = !a.no_attention;
  o.threshold = a.threshold == "fixed" ? ThresholdRule::fixed : ThresholdRule::validation;
  std::signal(SIGINT, on_sigint);
  TrainCallbacks callbacks = training_printout();
  callbacks.stop_requested = [] { return g_interrupted.load(); };
  const TrainResult result = train(o, callbacks);
  const auto run = o.resume.empty() ? o.out : o.resume;
  if (!result.epochs.empty() && !a.no_charts) plot_training_curves(result.epochs, run);
  if (result.interrupted) {
    std::printf("\ninterrupted: state saved to %s; continue with: braincam train --resume %s\n",
                (run / "last.safetensors").c_str(), run.c_str());
    return;
  }
  if (!result.stopped_early.empty() && result.epochs_trained == 0)
    std::printf("the run had already %s\n", result.stopped_early.c_str());
  std::printf("best epoch %d: %s\n", result.best_epoch, (run / "best.safetensors").c_str());
  if (!result.classes.names.empty())
    std::printf("no decision threshold: the %zu-class model labels each image with its top class\n",
                result.classes.names.size());
  if (result.threshold)
    std::printf("decision threshold P(tumor) > %.4f: %s\n", result.threshold->threshold,
                result.threshold->why.c_str());
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  TrainOptions& o = a->options;
  CLI::App* cmd = app.add_subcommand("train", "Train the model on a prepared dataset cache");
  cmd->add_option("--cache", o.cache,
                  "the folder `braincam prepare` wrote (with --resume: the run's own by default)");
  cmd->add_option("--out", o.out, "run folder: best/last checkpoints, metrics.csv, curves");
  cmd->add_flag("--overwrite", o.overwrite, "replace the run in --out if there is one");
  cmd->add_option("--epochs", o.epochs, "epochs in all")->capture_default_str()->check(kPositive);
  cmd->add_option("--batch", o.batch, "batch size")->capture_default_str()->check(kPositive);
  cmd->add_option("--lr", o.lr, "Adam learning rate")->capture_default_str()->check(kPositive);
  cmd->add_option("--warmup-epochs", o.warmup_epochs, "epochs without attention first")
      ->capture_default_str()
      ->check(kNonNegative);
  cmd->add_flag("--no-attention", a->no_attention, "never use attention (the plain baseline)");
  cmd->add_flag("--no-charts", a->no_charts, "skip the training-curve charts (no gnuplot needed)");
  cmd->add_option("--seed", o.seed, "seed of initialization, shuffling and augmentation")
      ->capture_default_str();
  cmd->add_option("--device", a->device, kDeviceHelp)->capture_default_str();
  cmd->add_option("--graph", a->graph,
                  "on|off: on the GPU and the emulator, replay each training step from a recorded "
                  "graph (a CUDA graph), or queue every kernel from the host")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}));
  cmd->add_option("--resume", o.resume,
                  "continue the run in this folder from its last.safetensors, with its own "
                  "settings; --epochs may extend it");
  cmd->add_option("--max-train-images", o.max_train_images,
                  "train on a fixed random subset of this many images (0: all)")
      ->check(kNonNegative);
  cmd->add_option("--threshold", a->threshold,
                  "validation|fixed: the decision threshold stored in best.safetensors, the "
                  "highest Youden's J on the validation split or the seed's 0.5")
      ->capture_default_str()
      ->check(CLI::IsMember({"validation", "fixed"}));
  cmd->add_option("--fold", a->fold,
                  "K/N: train on the other folds of a grouped, stratified N-fold split of the "
                  "train and val images and validate on fold K (as braincam crossval does)");
  add_recipe_options(*cmd, o);
  cmd->add_flag("--shuffle-labels", o.shuffle_labels,
                "train on the training labels permuted among the images (seeded by --seed; the "
                "validation labels stay true): the shuffled-label model of `braincam sanity`, "
                "whose RUN/last.safetensors it compares");
  add_choice(*cmd, "--classes", o.classes, kClassTaskNames,
             "binary|all: tumor against no tumor (the binary model), or every class of the "
             "cache's manifest (a K-class model, top-1 accuracy picks the best epoch, no decision "
             "threshold)");
  cmd->callback([a, cmd] {
    TrainOptions& o = a->options;
    if (o.resume.empty()) {
      if (o.out.empty()) throw CLI::RequiredError("--out or --resume");
      if (o.cache.empty()) throw CLI::RequiredError("--cache");
      if (!a->fold.empty()) {
        o.fold = parse_fold(a->fold);
        require_folds("--fold", data::DatasetCache::open(o.cache), o.fold.count);
      }
      settle_recipe_options(*cmd, o);
    } else {
      if (!o.out.empty())
        throw CLI::ValidationError("--out", "not with --resume, which continues the run in " +
                                                o.resume.string() + " (give one of them)");
      if (o.overwrite) throw CLI::ValidationError("--overwrite", "not with --resume");
      if (!a->fold.empty())
        throw CLI::ValidationError("--fold", "not with --resume, which keeps the run's own fold");
      refuse_recipe_options_on_resume(*cmd);
      if (o.shuffle_labels)
        throw CLI::ValidationError("--shuffle-labels",
                                   "not with --resume, which keeps the run's own labels");
      if (cmd->count("--classes") > 0)
        throw CLI::ValidationError("--classes", "not with --resume, which keeps the run's own");
      if (cmd->count("--epochs") == 0) o.epochs = 0;  // the run's own
    }
    run_train(*a);
  });
}

}  // namespace braincam::tools
