#include "model/trainer.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

#include "base/atomic_file.h"
#include "base/file_error.h"
#include "base/folder_lock.h"
#include "base/random.h"
#include "data/dataset_cache.h"
#include "data/kfold.h"
#include "model/batchnorm_reestimation.h"
#include "model/cache_classes.h"
#include "model/checkpoint.h"
#include "model/checkpoint_background.h"
#include "model/checkpoint_threshold.h"
#include "model/class_metrics.h"
#include "model/epoch.h"
#include "model/image_set.h"
#include "model/lr_schedule.h"
#include "model/metrics.h"
#include "model/predict.h"
#include "model/training_step_runner.h"

namespace braincam {

namespace {

using Clock = std::chrono::steady_clock;

// The stream of the run's generator, Rng(seed, stream), that draws the subset of the train split
// (each epoch's order comes from stream 1: model/epoch.cpp).
constexpr std::uint64_t kSubsetStream = 2;
// The stream that permutes the training labels of a run with shuffled labels (3 is the
// bootstrap's, which `evaluate --compare` draws with the training seed).
constexpr std::uint64_t kLabelShuffleStream = 0x5A1E1;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The train and validation images of the run: the cache's splits, or the other folds and the
// fold.
data::FoldSplit run_split(const data::DatasetCache& cache, const TrainOptions& o) {
  if (o.fold.count == 0)
    return {cache.indices(data::Split::train), cache.indices(data::Split::val)};
  return data::fold_split(data::assign_folds(data::fold_inputs(cache), o.fold.count, o.seed),
                          o.fold.index);
}

// The training images of the run: all, or a fixed random subset of them.
std::vector<std::size_t> training_images(std::vector<std::size_t> train, const TrainOptions& o) {
  if (o.max_train_images > 0 && static_cast<std::size_t>(o.max_train_images) < train.size()) {
    Rng rng(o.seed, kSubsetStream);
    shuffle(train, rng);
    train.resize(o.max_train_images);
    std::sort(train.begin(), train.end());
  }
  if (train.empty()) throw std::runtime_error(o.cache.string() + ": the train split is empty");
  return train;
}

std::vector<std::size_t> validation_images(std::vector<std::size_t> val, const TrainOptions& o) {
  if (val.empty()) throw std::runtime_error(o.cache.string() + ": the validation split is empty");
  return val;
}

// The classes a run learns: none named for the binary task, the cache's for `--classes all`.
ClassNames run_classes(const data::DatasetCache& cache, const TrainOptions& o) {
  if (o.classes == ClassTask::binary) return {};
  if (o.balance == Balance::sampling)
    throw std::invalid_argument(
        "balanced sampling draws the binary task's two classes: not with --classes all");
  return cache_class_names(cache, o.cache.string());
}

// The label of every image of the cache in the run's task: tumor (1) or not (0), or the class
// index of a K-class run.
std::vector<int> run_labels(const data::DatasetCache& cache, const ClassNames& classes) {
  if (!classes.names.empty()) return cache_class_indices(cache, classes);
  std::vector<int> labels;
  for (std::size_t i = 0; i < cache.size(); ++i) labels.push_back(cache.label(i));
  return labels;
}

template <class Label>
std::vector<Label> labels_of(std::span<const int> table, std::span<const std::size_t> images) {
  std::vector<Label> labels;
  for (std::size_t i : images) labels.push_back(static_cast<Label>(table[i]));
  return labels;
}

// The training labels of a run: the images' own, or those permuted among the images.
std::vector<float> training_labels(std::span<const int> table, std::span<const std::size_t> images,
                                   const TrainOptions& o) {
  std::vector<float> labels = labels_of<float>(table, images);
  if (o.shuffle_labels) {
    Rng rng(o.seed, kLabelShuffleStream);
    shuffle(labels, rng);
  }
  return labels;
}

// The images of a run. The validation split is held on the training device; so are the training
// images, batched there, unless augmented: augmented batches are made on the host from the
// dataset cache at every step.
struct RunImages {
  // labels: of every image of the cache (run_labels).
  RunImages(const data::DatasetCache& cache, const TrainOptions& o, std::span<const int> labels,
            BrainDetectionModel& model, Adam& optimizer)
      : RunImages(cache, o, labels, model, optimizer, run_split(cache, o)) {}
  RunImages(const data::DatasetCache& cache, const TrainOptions& o, std::span<const int> labels,
            BrainDetectionModel& model, Adam& optimizer, data::FoldSplit split)
      : classes(model.classes()),
        train_set(training_images(std::move(split.train), o)),
        train_labels(training_labels(labels, train_set, o)),
        val_set(validation_images(std::move(split.held_out), o)),
        val_labels(labels_of<int>(labels, val_set)),
        val_images(cache_images(cache, val_set), o.device),
        train_images(
            o.augment.enabled()
                ? std::nullopt
                : std::optional<ImageSet>(std::in_place, cache_images(cache, train_set), o.device)),
        steps(train_images
                  ? TrainingStepRunner(model, optimizer, *train_images, o.graphs)
                  : TrainingStepRunner(model, optimizer,
                                       AugmentedImages{cache, train_set, o.seed, o.augment})) {
    if (train_images && model.kernel_path() == KernelPath::Fast) train_images->keep_patch_moments();
    if (!train_images && o.batchnorm_statistics == BatchNormStatistics::reestimated)
      statistics_images.emplace(cache_images(cache, train_set), o.device);
  }

  // The training images as stored, which batchnorm re-estimation passes over.
  const ImageSet& unaugmented_train_images() const {
    return train_images ? *train_images : *statistics_images;
  }

  int classes;                         // the model's K
  std::vector<std::size_t> train_set;  // the cache's images
  std::vector<float> train_labels;     // 0/1, or class indices for K >= 2
  std::vector<std::size_t> val_set;
  std::vector<int> val_labels;
  ImageSet val_images;
  std::optional<ImageSet> train_images;       // unless augmented
  std::optional<ImageSet> statistics_images;  // augmented, with re-estimated batchnorm statistics
  TrainingStepRunner steps;
};

// Runs epoch `epoch`, begun at `start`, telling the caller its progress after every batch.
EpochRun train_epoch(RunImages& images, const TrainOptions& o, int epoch, bool attention,
                     EpochTally& tally, const TrainCallbacks& callbacks, Clock::time_point start) {
  // The progress bar's figures: images per second of this run so far, and the time left.
  auto report = [&](const SettledBatch& b) {
    if (!callbacks.on_batch) return;
    const double rate = b.images_run / std::max(seconds_since(start), 1e-9);
    const double left_images = static_cast<double>(b.images - b.images_done) +
                               static_cast<double>(o.epochs - epoch) * b.images;
    callbacks.on_batch({epoch, o.epochs, b.batch, b.batches, b.loss, rate, left_images / rate});
  };
  const EpochSettings settings{.epoch = epoch,
                               .attention = attention,
                               .batch = static_cast<std::size_t>(o.batch),
                               .seed = o.seed,
                               .balance = o.balance,
                               .classes = images.classes};
  try {
    return run_epoch(images.steps, images.train_labels, settings, tally,
                     {.on_batch = report, .stop_requested = callbacks.stop_requested});
  } catch (const NonFiniteLoss& e) {
    throw std::runtime_error(std::string(e.what()) + "; " + (o.out / "last.safetensors").string() +
                             " and best.safetensors keep the last good epoch");
  }
}

// The validation figures that pick the best epoch: accuracy (top-1 for K >= 2) and mean loss.
struct Validation {
  double accuracy, mean_loss;
};

Validation validate(BrainDetectionModel& model, const RunImages& images, bool attention,
                    int batch) {
  if (model.classes() == 1) {
    const ClassificationMetrics m = classification_metrics(
        predict_probabilities(model, images.val_images, attention, batch), images.val_labels);
    return {m.accuracy, m.mean_loss};
  }
  const ClassMetrics m = class_metrics(
      predict_class_probabilities(model, images.val_images, attention, batch), images.val_labels);
  return {m.accuracy, m.mean_loss};
}

// A fresh run's folder: refused when it holds files, unless `overwrite`, which removes them (all
// but the lock, which this run holds).
void start_run_folder(const std::filesystem::path& folder, bool overwrite) {
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().filename() == FolderLock::kFileName) continue;
    if (!overwrite)
      throw FileError(folder, "already holds a run (pass --overwrite to replace it, or --resume " +
                                  folder.string() + " to continue it)");
    std::filesystem::remove_all(entry.path());
  }
}

// Why early stopping ends the run at `state`, before its last epoch; empty while it goes on.
std::string early_stop_reason(const TrainOptions& o, const RunState& state) {
  const int since_best = state.epochs_done - state.best_epoch;
  if (o.early_stopping == 0 || state.epochs_done >= o.epochs || since_best < o.early_stopping)
    return "";
  return "stopped early: no better validation accuracy than epoch " +
         std::to_string(state.best_epoch) + "'s in " + std::to_string(since_best) +
         " epochs (early stopping after " + std::to_string(o.early_stopping) + ")";
}

void write_metrics(const std::filesystem::path& folder, const std::vector<EpochRecord>& rows) {
  write_file_atomically(folder / "metrics.csv",
                        [&](std::ostream& out) { out << format_metrics_csv(rows); });
}

}  // namespace

TrainResult train(const TrainOptions& given, const TrainCallbacks& callbacks) {
  const bool resuming = !given.resume.empty();
  const std::filesystem::path folder = resuming ? given.resume : given.out;
  if (resuming && !std::filesystem::exists(folder / "last.safetensors"))
    throw FileError(folder / "last.safetensors", "not found: there is no run to resume");
  // A new run's cache is opened before its folder is made, so a bad --cache leaves nothing behind.
  std::optional<data::DatasetCache> opened;
  if (!resuming) opened = data::DatasetCache::open(given.cache);
  // Held for the whole run: a second train into this folder stops instead of mixing its files in.
  const FolderLock lock(folder, "another braincam train");
  if (!resuming) start_run_folder(folder, given.overwrite);
  remove_temporary_files(folder);  // of a killed run

  std::optional<ResumedRun> resumed;
  if (resuming) resumed = resume_run(given);
  const TrainOptions o = resumed ? resumed->options : given;
  if (resumed) opened = data::DatasetCache::open(o.cache);
  const data::DatasetCache& cache = *opened;
  if (resumed) resumed->require_cache(cache.fingerprint());
  if (callbacks.on_start) callbacks.on_start(o);
  RunState state = resumed ? resumed->state : RunState{};
  TrainResult result;
  if (resumed) result.epochs = resumed->epochs;
  // metrics.csv may hold a row of an epoch the checkpoint had not reached: repaired here.
  if (resumed) write_metrics(folder, result.epochs);
  const ClassNames classes = run_classes(cache, o);
  const std::vector<int> labels = run_labels(cache, classes);
  const int K = classes.names.empty() ? 1 : static_cast<int>(classes.names.size());
  BrainDetectionModel model(ModelShape{.classes = K}, DType::F32, o.device);
  model.initialize(o.seed);
  Adam optimizer(model.parameters(), AdamOptions{.lr = o.lr, .weight_decay = o.weight_decay});
  if (resumed) resumed->restore(model, optimizer);
  RunImages images(cache, o, labels, model, optimizer);
  auto metadata = [&](bool attention) {
    CheckpointMetadata meta = checkpoint_metadata(o, cache.fingerprint(), state, attention);
    record_background(meta, cache.background());
    write_class_names(meta, classes);
    return meta;
  };

  result.stopped_early = early_stop_reason(o, state);  // a resumed run that had stopped
  for (int epoch = state.epochs_done + 1; epoch <= o.epochs && result.stopped_early.empty();
       ++epoch) {
    const bool attention = attention_in_epoch(o, epoch);
    const double lr = epoch_lr(o, epoch, state.plateau);
    optimizer.set_lr(lr);
    const auto start = Clock::now();
    const EpochRun run = train_epoch(images, o, epoch, attention, state.epoch, callbacks, start);
    if (!run.finished) {
      save_last_checkpoint(o.out / "last.safetensors", o, model, optimizer, metadata(attention));
      result.interrupted = true;
      break;
    }
    if (o.batchnorm_statistics == BatchNormStatistics::reestimated)
      reestimate_batchnorm(model, images.unaugmented_train_images(), o.batch);
    const Validation val = validate(model, images, attention, o.batch);
    const double seconds = seconds_since(start);
    EpochRecord record{
        .epoch = epoch,
        .attention = attention,
        .train_loss = state.epoch.loss_sum / state.epoch.seen,
        .train_accuracy = static_cast<double>(state.epoch.correct) / state.epoch.seen,
        .val_loss = val.mean_loss,
        .val_accuracy = val.accuracy,
        .seconds = seconds,
        .images_per_s = run.images_run / seconds,
        .lr = lr,
        .stop = {}};
    const bool best = state.end_epoch(epoch, val.accuracy, val.mean_loss);
    if (o.lr_schedule.kind == LrScheduleKind::plateau) state.plateau.end_epoch(val.mean_loss, o);
    result.stopped_early = early_stop_reason(o, state);
    record.stop = result.stopped_early;
    result.epochs.push_back(record);
    ++result.epochs_trained;
    CheckpointMetadata meta = metadata(attention);
    meta["val_accuracy"] = std::to_string(val.accuracy);
    meta["val_loss"] = std::to_string(val.mean_loss);
    // metrics.csv first: a resumed run drops its rows past last.safetensors, but could not
    // recover a row that a kill after the checkpoint had kept from being written.
    write_metrics(o.out, result.epochs);
    if (best) save_checkpoint(o.out / "best.safetensors", model, nullptr, meta);
    save_last_checkpoint(o.out / "last.safetensors", o, model, optimizer, meta);
    if (callbacks.on_epoch) callbacks.on_epoch(record, best);
    if (callbacks.stop_requested && callbacks.stop_requested() && epoch < o.epochs &&
        result.stopped_early.empty()) {
      result.interrupted = true;
      break;
    }
  }
  result.best_epoch = state.best_epoch;
  result.classes = classes;
  // The decision threshold is the binary model's: a K-class model labels with its top class.
  if (!result.interrupted && state.best_epoch > 0 && K == 1)
    result.threshold = store_decision_threshold(o.out / "best.safetensors", images.val_images,
                                                images.val_labels, {o.threshold, o.batch});
  return result;
}

}  // namespace braincam
