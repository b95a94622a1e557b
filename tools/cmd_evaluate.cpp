// braincam evaluate: the metrics of a checkpoint on a split with their bootstrap intervals, and
// the seed's attention ablation with the interval of each metric's difference.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "base/atomic_file.h"
#include "model/bootstrap.h"
#include "model/cache_classes.h"
#include "model/checkpoint.h"
#include "model/checkpoint_background.h"
#include "model/checkpoint_classes.h"
#include "model/metrics.h"
#include "model/test_time_augmentation.h"
#include "model/trainer.h"
#include "tools/charts.h"
#include "tools/class_evaluation.h"
#include "tools/commands.h"
#include "tools/device_option.h"
#include "tools/number_checks.h"
#include "tools/threshold_option.h"
#include "tools/tta_option.h"

namespace braincam::tools {

namespace {

// The most --bootstrap-resamples takes: 100,000 take about half a minute for two models on 1,300
// images on 2 cores, and more would add only time (at 2,000 the resampling error of a bound is
// already about 3% of the interval's half-width).
constexpr int kMaxResamples = 100000;

struct EvaluateArgs {
  std::string checkpoint, baseline, split = "test", json_file, charts_dir, device = "auto";
  std::string threshold, tta;  // --threshold, --tta
  std::filesystem::path cache;
  // --compare: train with and without attention and evaluate both.
  bool compare = false;
  TrainOptions train;  // train.seed: --seed, which also seeds the bootstrap
  int bootstrap_resamples = 2000;
};

// The images of a split, with the labels and source groups the metrics and intervals need.
struct SplitImages {
  std::vector<std::size_t> ids;
  std::vector<int> labels;
  std::vector<std::string> groups;
};

SplitImages split_images(const data::DatasetCache& cache, data::Split split) {
  SplitImages s;
  s.ids = cache.indices(split);
  if (s.ids.empty()) throw std::runtime_error(cache.data_dir().string() + ": the split is empty");
  for (std::size_t i : s.ids) {
    s.labels.push_back(cache.label(i));
    s.groups.push_back(cache.entry(i).group);
  }
  return s;
}

// A checkpoint's probabilities on the split and the threshold it labels them with.
struct Predictions {
  std::vector<double> probabilities;
  LabelThreshold threshold;
};

Predictions predict_split(const EvaluateArgs& a, const std::filesystem::path& checkpoint,
                          const data::DatasetCache& cache, const SplitImages& images,
                          Device device) {
  BrainDetectionModel model({}, DType::F32, device);
  const auto meta = load_checkpoint(checkpoint, model);
  require_cache_background(meta, checkpoint, cache, a.cache);
  const bool attention = trained_with_attention(meta);
  const LabelThreshold threshold = label_threshold(a.threshold, meta, checkpoint);
  return {predict_with_tta(model, cache_images(cache, images.ids), attention,
                           parse_test_time_augmentation(a.tta)),
          threshold};
}

// A model's metrics on the split, and their intervals where the bootstrap is on.
struct Evaluation {
  std::string name;
  LabelThreshold threshold;
  ClassificationMetrics metrics;
  std::optional<MetricIntervals> intervals;
};

// Whether the thresholds are shown: where any column's is (a checkpoint without one beside a
// checkpoint with one shows 0.5).
bool thresholds_shown(const std::vector<Evaluation>& columns) {
  return std::any_of(columns.begin(), columns.end(),
                     [](const Evaluation& c) { return c.threshold.shown(); });
}

// Two models' difference (with − without) and its intervals.
struct Difference {
  MetricValues values;
  MetricIntervals intervals;
};

BootstrapOptions bootstrap_options(const EvaluateArgs& a) {
  BootstrapOptions o;
  o.resamples = a.bootstrap_resamples;
  o.seed = a.train.seed;
  return o;
}

std::string number(double v, const char* format = "%.4f") {
  char b[32];
  std::snprintf(b, sizeof b, std::isnan(v) ? "n/a" : format, v);
  return b;
}

// "0.9712 [0.9601, 0.9803]", or the value alone without intervals.
std::string with_interval(double v, const std::optional<MetricIntervals>& intervals, std::size_t k,
                          const char* format = "%.4f") {
  if (!intervals) return number(v, format);
  const Interval& i = (*intervals)[k];
  return number(v, format) + " [" + number(i.low, format) + ", " + number(i.high, format) + "]";
}

// The table of the metrics, a column per model, and with two models their difference.
void print_metrics(const std::vector<Evaluation>& columns, const Difference* difference = nullptr) {
  const int width = columns.front().intervals ? 28 : 20;
  const auto row = [&](const char* label, auto cell, const std::string& difference_cell = "") {
    std::printf("%-22s", label);
    for (const Evaluation& c : columns) std::printf("%*s", width, cell(c).c_str());
    if (difference) std::printf("%*s", width, difference_cell.c_str());
    std::printf("\n");
  };
  row(
      "", [](const Evaluation& c) { return c.name; }, "with - without");
  const auto count = [](std::int64_t v) { return std::to_string(v); };
  row("images", [&](const Evaluation& c) { return count(c.metrics.count); });
  if (thresholds_shown(columns))
    row("threshold: P(tumor) >", [](const Evaluation& c) { return number(c.threshold.value); });
  // The rows of kBootstrapMetrics but the mean loss, in its order.
  const char* labels[] = {"accuracy",    "precision", "recall (sensitivity)",
                          "specificity", "F1",        "ROC AUC"};
  for (std::size_t k = 0; k < std::size(labels); ++k)
    row(
        labels[k],
        [&](const Evaluation& c) {
          return with_interval(metric_values(c.metrics)[k], c.intervals, k);
        },
        difference ? with_interval(difference->values[k], difference->intervals, k, "%+.4f") : "");
  row("TP / FP", [&](const Evaluation& c) {
    return count(c.metrics.confusion.tp) + " / " + count(c.metrics.confusion.fp);
  });
  row("FN / TN", [&](const Evaluation& c) {
    return count(c.metrics.confusion.fn) + " / " + count(c.metrics.confusion.tn);
  });
  const auto share = [&](std::int64_t part, std::int64_t whole) {
    return number(whole ? double(part) / whole : 0.0);
  };
  row("correct: yes share", [&](const Evaluation& c) {
    return share(c.metrics.correct_yes, c.metrics.correct_yes + c.metrics.correct_no);
  });
  row("wrong: yes share", [&](const Evaluation& c) {
    return share(c.metrics.wrong_yes, c.metrics.wrong_yes + c.metrics.wrong_no);
  });
}

void print_bootstrap(const BootstrapSummary& s) {
  std::printf(
      "[low, high]: 95%% percentile bootstrap, %d resamples of %zu source groups (seed %llu); "
      "ROC AUC: the %d with both classes\n",
      s.options.resamples, s.groups, static_cast<unsigned long long>(s.options.seed),
      s.auc_resamples);
}

// to_json(ClassificationMetrics) with "ci95" beside the metrics where the bootstrap is on, and
// "threshold" where the thresholds are shown.
nlohmann::json evaluation_json(const Evaluation& e, bool threshold_shown) {
  nlohmann::json j = to_json(e.metrics);
  if (threshold_shown) j["threshold"] = e.threshold.value;
  if (e.intervals) j["ci95"] = to_json(*e.intervals);
  return j;
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

// One model's metrics and intervals: printed, and written as JSON and charts where asked.
void report_one(const EvaluateArgs& a, const SplitImages& images, const Predictions& p) {
  const double threshold = p.threshold.value;
  Evaluation e{
      a.split, p.threshold, classification_metrics(p.probabilities, images.labels, threshold), {}};
  std::optional<BootstrapSummary> summary;
  if (a.bootstrap_resamples > 0) {
    const BootstrapIntervals b = bootstrap_intervals(p.probabilities, images.labels, images.groups,
                                                     bootstrap_options(a), threshold);
    e.intervals = b.intervals;
    summary = b.summary;
  }
  print_metrics({e});
  if (summary) print_bootstrap(*summary);
  if (!a.json_file.empty()) {
    nlohmann::json j = evaluation_json(e, e.threshold.shown());
    if (summary) j["bootstrap"] = to_json(*summary);
    write_json(a.json_file, j);
  }
  if (!a.charts_dir.empty()) {
    plot_evaluation_charts(to_json(e.metrics), a.checkpoint, a.charts_dir);
    std::printf("wrote the confusion matrix, ROC and error-analysis charts to %s\n",
                a.charts_dir.c_str());
  }
}

// Two models on the same images, with and without attention, and their difference on the same
// resamples: printed, and written as JSON to `json_file` unless it is empty.
void report_pair(const EvaluateArgs& a, const SplitImages& images, const Predictions& with,
                 const Predictions& without, const std::string& json_file) {
  const PairedThresholds thresholds{with.threshold.value, without.threshold.value};
  std::vector<Evaluation> columns{
      {"with_attention",
       with.threshold,
       classification_metrics(with.probabilities, images.labels, thresholds.model),
       {}},
      {"without_attention",
       without.threshold,
       classification_metrics(without.probabilities, images.labels, thresholds.baseline),
       {}}};
  std::optional<Difference> difference;
  std::optional<BootstrapSummary> summary;
  if (a.bootstrap_resamples > 0) {
    const PairedBootstrapIntervals b =
        paired_bootstrap_intervals(with.probabilities, without.probabilities, images.labels,
                                   images.groups, bootstrap_options(a), thresholds);
    columns[0].intervals = b.model;
    columns[1].intervals = b.baseline;
    difference = Difference{
        metric_difference(metric_values(columns[0].metrics), metric_values(columns[1].metrics)),
        b.difference};
    summary = b.summary;
  }
  print_metrics(columns, difference ? &*difference : nullptr);
  if (summary) print_bootstrap(*summary);
  if (json_file.empty()) return;
  const bool shown = thresholds_shown(columns);
  nlohmann::json out{{"with_attention", evaluation_json(columns[0], shown)},
                     {"without_attention", evaluation_json(columns[1], shown)},
                     {"split", a.split}};
  if (difference) {
    out["difference"] = to_json(difference->values);
    out["difference"]["ci95"] = to_json(difference->intervals);
    out["bootstrap"] = to_json(*summary);
  }
  write_json(json_file, out);
}

// The class index of each image of the split, in the order of `classes`, which must be the
// cache's (refused naming both sides otherwise).
std::vector<int> class_labels(const EvaluateArgs& a, const data::DatasetCache& cache,
                              const SplitImages& images, const ClassNames& classes) {
  require_same_classes(classes, a.checkpoint, cache_class_names(cache, a.cache.string()),
                       a.cache.string());
  if (classes.no_tumor.empty())
    throw std::runtime_error(a.checkpoint +
                             ": names no no-tumor class (metadata no_tumor_class), "
                             "which the tumor / no-tumor figures need");
  const std::vector<int> all = cache_class_indices(cache, classes);
  std::vector<int> labels;
  for (std::size_t i : images.ids) labels.push_back(all[i]);
  return labels;
}

// A K-class checkpoint (K >= 2) on the split: its K-class figures, and the tumor / no-tumor
// figures of P(tumor) = 1 - P(no-tumor class), labelled at 0.5 unless --threshold, each with its
// intervals over the same resamples.
void report_classes(const EvaluateArgs& a, const data::DatasetCache& cache,
                    const SplitImages& images, Device device) {
  BrainDetectionModel model(checkpoint_shape(a.checkpoint), DType::F32, device);
  const auto meta = load_checkpoint(a.checkpoint, model);
  require_cache_background(meta, a.checkpoint, cache, a.cache);
  ClassEvaluation e{read_class_names(meta, model.classes(), a.checkpoint), {}, {}};
  const std::vector<int> labels = class_labels(a, cache, images, e.classes);
  const ClassProbabilities p =
      predict_classes_with_tta(model, cache_images(cache, images.ids), trained_with_attention(meta),
                               parse_test_time_augmentation(a.tta));
  e.metrics = class_metrics(p, labels);
  const auto no_tumor = static_cast<int>(
      std::find(e.classes.names.begin(), e.classes.names.end(), e.classes.no_tumor) -
      e.classes.names.begin());
  const std::vector<double> tumor = tumor_probabilities(p, no_tumor);
  const std::vector<int> tumor_truth = tumor_labels(labels, no_tumor);
  const LabelThreshold threshold = label_threshold(a.threshold, meta, a.checkpoint);
  Evaluation binary{"tumor / no tumor",
                    threshold,
                    classification_metrics(tumor, tumor_truth, threshold.value),
                    {}};
  std::optional<BootstrapSummary> summary;
  if (a.bootstrap_resamples > 0) {
    const BootstrapIntervals b = bootstrap_intervals(tumor, tumor_truth, images.groups,
                                                     bootstrap_options(a), threshold.value);
    binary.intervals = b.intervals;
    summary = b.summary;
    e.intervals = class_bootstrap_intervals(p, labels, images.groups, bootstrap_options(a));
  }
  print_class_metrics(e);
  std::printf("tumor / no tumor: P(tumor) = 1 - P(%s)\n", e.classes.no_tumor.c_str());
  print_metrics({binary});
  if (summary) print_bootstrap(*summary);
  if (!a.json_file.empty()) {
    nlohmann::json j = evaluation_json(binary, binary.threshold.shown());
    add_class_json(j, e);
    if (summary) j["bootstrap"] = to_json(*summary);
    write_json(a.json_file, j);
  }
  if (!a.charts_dir.empty()) {
    plot_evaluation_charts(to_json(binary.metrics), a.checkpoint, a.charts_dir);
    std::printf("wrote the tumor / no-tumor confusion, ROC and error-analysis charts to %s\n",
                a.charts_dir.c_str());
  }
}

void run_evaluate(EvaluateArgs& a) {
  make_output_folders(a);
  const Device device = resolve_device(a.device);
  const data::DatasetCache cache = data::DatasetCache::open(a.cache);
  const SplitImages images = split_images(cache, data::split_from_name(a.split));
  if (!a.compare && checkpoint_shape(a.checkpoint).classes >= 2) {
    if (!a.baseline.empty())
      throw std::runtime_error("--baseline compares binary checkpoints; " + a.checkpoint +
                               " is a K-class model");
    report_classes(a, cache, images, device);
    return;
  }
  if (!a.baseline.empty()) {  // two trained checkpoints side by side, in the --compare format
    const Predictions with = predict_split(a, a.checkpoint, cache, images, device);
    const Predictions without = predict_split(a, a.baseline, cache, images, device);
    report_pair(a, images, with, without, a.json_file);
    return;
  }
  if (!a.compare) {
    report_one(a, images, predict_split(a, a.checkpoint, cache, images, device));
    return;
  }
  // The seed's table 6.2: the same split and seed, trained with and without attention.
  std::vector<Predictions> predictions;
  for (const bool attention : {true, false}) {
    TrainOptions o = a.train;
    o.cache = a.cache;
    o.device = device;
    o.attention = attention;
    const std::string name = attention ? "with_attention" : "without_attention";
    o.out = a.train.out / name;
    std::printf("== training %s\n", name.c_str());
    train(o);
    predictions.push_back(predict_split(a, o.out / "best.safetensors", cache, images, device));
  }
  report_pair(a, images, predictions[0], predictions[1],
              a.json_file.empty() ? (a.train.out / "compare.json").string() : a.json_file);
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
  cmd->add_option("--seed", a->train.seed,
                  "seed of the bootstrap's resamples and, with --compare, of both training runs")
      ->capture_default_str();
  cmd->add_option("--bootstrap-resamples", a->bootstrap_resamples,
                  "resamples (of the split's source groups) behind each metric's 95% interval; "
                  "0: no intervals")
      ->capture_default_str()
      ->check(non_negative_at_most(kMaxResamples));
  cmd->add_option("--max-train-images", a->train.max_train_images,
                  "with --compare: train on a subset");
  add_threshold_option(*cmd, a->threshold);
  add_tta_option(*cmd, a->tta);
  cmd->callback([a] {
    if (a->compare && a->train.out.empty()) throw CLI::RequiredError("--out (with --compare)");
    if (!a->compare && a->checkpoint.empty()) throw CLI::RequiredError("--checkpoint");
    run_evaluate(*a);
  });
}

}  // namespace braincam::tools
