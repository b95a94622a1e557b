#include "model/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "base/atomic_file.h"
#include "base/random.h"
#include "data/preprocess.h"
#include "engine/ops.h"
#include "engine/readback.h"
#include "engine/safetensors.h"
#include "model/epoch.h"
#include "model/metrics.h"
#include "model/predict.h"
#include "model/training_step.h"
#include "model/training_step_runner.h"

namespace braincam {

namespace {

using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

constexpr const char* kCheckpointFormat = "braincam-checkpoint-1";
// The stream of the run's generator, Rng(seed, stream), that draws the subset of the train split
// (each epoch's order comes from stream 1: model/epoch.cpp).
constexpr std::uint64_t kSubsetStream = 2;

// Doubles in metadata are written as hexadecimal floats, so they come back bit for bit.
std::string exact(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%a", v);
  return buffer;
}
const std::string& field(const std::map<std::string, std::string>& meta, const std::string& key,
                         const std::filesystem::path& file) {
  const auto it = meta.find(key);
  if (it == meta.end()) throw std::runtime_error(file.string() + ": metadata has no '" + key + "'");
  return it->second;
}
double parse_double(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

// Where the run stands; saved in last.safetensors so that a resumed run continues exactly.
struct Progress {
  int epochs_done = 0;  // complete epochs
  EpochTally epoch;     // of the epoch in progress
  double best_accuracy = -1, best_loss = 0;
  int best_epoch = 0;
};

// The settings a resumed run takes from its checkpoint (not the number of epochs: a run may be
// extended).
json options_json(const TrainOptions& o) {
  return {{"batch", o.batch},
          {"warmup_epochs", o.warmup_epochs},
          {"lr", exact(o.lr)},
          {"attention", o.attention},
          {"augment", o.augment},
          {"seed", o.seed},
          {"max_train_images", o.max_train_images}};
}

void apply_options_json(const json& j, TrainOptions& o) {
  o.batch = j.at("batch");
  o.warmup_epochs = j.at("warmup_epochs");
  o.lr = std::strtod(j.at("lr").get<std::string>().c_str(), nullptr);
  o.attention = j.at("attention");
  o.augment = j.at("augment");
  o.seed = j.at("seed");
  o.max_train_images = j.at("max_train_images");
}

// The training images of the run: the train split, or a fixed random subset of it.
std::vector<std::size_t> training_images(const data::DatasetCache& cache, const TrainOptions& o) {
  std::vector<std::size_t> train = cache.indices(data::Split::train);
  if (o.max_train_images > 0 && static_cast<std::size_t>(o.max_train_images) < train.size()) {
    Rng rng(o.seed, kSubsetStream);
    shuffle(train, rng);
    train.resize(o.max_train_images);
    std::sort(train.begin(), train.end());
  }
  if (train.empty()) throw std::runtime_error(o.cache.string() + ": the train split is empty");
  return train;
}

void save_checkpoint(const std::filesystem::path& file, const BrainDetectionModel& model,
                     const Adam* optimizer, std::map<std::string, std::string> metadata) {
  StateDict dict = model.state_dict();
  if (optimizer) dict.merge(optimizer->state_dict());
  metadata["format"] = kCheckpointFormat;
  write_safetensors(file.string(), dict, metadata);
}

}  // namespace

bool attention_in_epoch(const TrainOptions& o, int epoch) {
  return o.attention && epoch > o.warmup_epochs;
}

std::map<std::string, std::string> load_checkpoint(const std::filesystem::path& file,
                                                   BrainDetectionModel& model) {
  const Safetensors st = read_safetensors(file.string());
  const auto format = st.metadata.find("format");
  if (format == st.metadata.end() || format->second != kCheckpointFormat)
    throw std::runtime_error(file.string() +
                             ": not a braincam training checkpoint (metadata format is not " +
                             kCheckpointFormat + ")");
  model.load_state_dict(st.tensors, file.string());
  return st.metadata;
}

TrainResult train(const TrainOptions& given, const TrainCallbacks& callbacks) {
  TrainOptions o = given;
  const data::DatasetCache cache = data::DatasetCache::open(o.cache);
  Progress state;
  TrainResult result;
  Safetensors resumed;  // RUN/last.safetensors when resuming
  if (!o.resume.empty()) {
    const std::filesystem::path last = o.resume / "last.safetensors";
    resumed = read_safetensors(last.string());
    auto meta = [&](const char* key) -> const std::string& {
      return field(resumed.metadata, key, last);
    };
    if (meta("format") != kCheckpointFormat)
      throw std::runtime_error(last.string() + ": not a braincam training checkpoint");
    if (std::stoull(meta("cache_fingerprint")) != cache.fingerprint())
      throw std::runtime_error(last.string() + ": was trained on another dataset cache than " +
                               o.cache.string());
    apply_options_json(json::parse(meta("options")), o);  // the run's own settings
    state.epochs_done = std::stoi(meta("epoch"));
    state.epoch.batches_done = std::stoull(meta("batches_done"));
    state.epoch.loss_sum = parse_double(meta("partial_loss_sum"));
    state.epoch.correct = std::stoll(meta("partial_correct"));
    state.epoch.seen = std::stoll(meta("partial_seen"));
    state.best_accuracy = parse_double(meta("best_val_accuracy"));
    state.best_loss = parse_double(meta("best_val_loss"));
    state.best_epoch = std::stoi(meta("best_epoch"));
    result.epochs = read_metrics_csv(o.resume / "metrics.csv");
    std::erase_if(result.epochs, [&](const EpochRecord& r) { return r.epoch > state.epochs_done; });
    o.out = o.resume;
  }
  BrainDetectionModel model({}, DType::F32, o.device);
  model.initialize(o.seed);
  Adam optimizer(model.parameters(), AdamOptions{.lr = o.lr});
  if (!o.resume.empty()) {
    model.load_state_dict(resumed.tensors, (o.resume / "last.safetensors").string());
    optimizer.load_state_dict(resumed.tensors, (o.resume / "last.safetensors").string());
  }
  std::filesystem::create_directories(o.out);

  const std::vector<std::size_t> train_set = training_images(cache, o);
  const std::vector<std::size_t> val_set = cache.indices(data::Split::val);
  if (val_set.empty())
    throw std::runtime_error(o.cache.string() + ": the validation split is empty");
  std::vector<int> val_labels;
  for (std::size_t i : val_set) val_labels.push_back(cache.label(i));
  // Batches are gathered on the model's device from the images held there; augmented ones are
  // made on the host from the dataset cache.
  const ImageSet val_images(cache_images(cache, val_set), o.device);
  std::optional<ImageSet> train_images;
  if (!o.augment) {
    train_images.emplace(cache_images(cache, train_set), o.device);
    if (model.kernel_path() == KernelPath::Fast) train_images->keep_patch_moments();
  }
  TrainingStepRunner train_steps =
      train_images
          ? TrainingStepRunner(model, optimizer, *train_images, o.graphs)
          : TrainingStepRunner(model, optimizer, AugmentedImages{cache, train_set, o.seed});
  std::vector<float> train_labels;
  for (std::size_t i : train_set) train_labels.push_back(static_cast<float>(cache.label(i)));

  auto metadata = [&](int epoch, bool attention) {
    return std::map<std::string, std::string>{
        {"epoch", std::to_string(epoch)},
        {"attention", attention ? "on" : "off"},
        {"seed", std::to_string(o.seed)},
        {"options", options_json(o).dump()},
        {"cache_fingerprint", std::to_string(cache.fingerprint())},
        {"batches_done", std::to_string(state.epoch.batches_done)},
        {"partial_loss_sum", exact(state.epoch.loss_sum)},
        {"partial_correct", std::to_string(state.epoch.correct)},
        {"partial_seen", std::to_string(state.epoch.seen)},
        {"best_val_accuracy", exact(state.best_accuracy)},
        {"best_val_loss", exact(state.best_loss)},
        {"best_epoch", std::to_string(state.best_epoch)}};
  };

  for (int epoch = state.epochs_done + 1; epoch <= o.epochs; ++epoch) {
    const bool attention = attention_in_epoch(o, epoch);
    const auto start = Clock::now();
    // The progress bar's figures: images per second of this run so far, and the time left.
    auto report = [&](const SettledBatch& b) {
      if (!callbacks.on_batch) return;
      const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      const double rate = b.images_run / std::max(elapsed, 1e-9);
      const double left_images = static_cast<double>(b.images - b.images_done) +
                                 static_cast<double>(o.epochs - epoch) * b.images;
      callbacks.on_batch({epoch, o.epochs, b.batch, b.batches, b.loss, rate, left_images / rate});
    };
    const EpochRun run = [&] {
      try {
        return run_epoch(train_steps, train_labels,
                         {.epoch = epoch,
                          .attention = attention,
                          .batch = static_cast<std::size_t>(o.batch),
                          .seed = o.seed},
                         state.epoch,
                         {.on_batch = report, .stop_requested = callbacks.stop_requested});
      } catch (const NonFiniteLoss& e) {
        throw std::runtime_error(std::string(e.what()) + "; " +
                                 (o.out / "last.safetensors").string() +
                                 " and best.safetensors keep the last good epoch");
      }
    }();
    if (!run.finished) {
      save_checkpoint(o.out / "last.safetensors", model, &optimizer,
                      metadata(epoch - 1, attention));
      result.interrupted = true;
      result.best_epoch = state.best_epoch;
      return result;
    }

    const std::vector<double> p = predict_probabilities(model, val_images, attention, o.batch);
    const ClassificationMetrics val = classification_metrics(p, val_labels);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    EpochRecord record{epoch,
                       attention,
                       state.epoch.loss_sum / state.epoch.seen,
                       static_cast<double>(state.epoch.correct) / state.epoch.seen,
                       val.mean_loss,
                       val.accuracy,
                       seconds,
                       run.images_run / seconds};
    result.epochs.push_back(record);
    state = Progress{epoch, {}, state.best_accuracy, state.best_loss, state.best_epoch};
    const bool best = val.accuracy > state.best_accuracy ||
                      (val.accuracy == state.best_accuracy && val.mean_loss < state.best_loss);
    if (best) {
      state.best_accuracy = val.accuracy;
      state.best_loss = val.mean_loss;
      state.best_epoch = epoch;
      auto meta = metadata(epoch, attention);
      meta["val_accuracy"] = std::to_string(val.accuracy);
      meta["val_loss"] = std::to_string(val.mean_loss);
      save_checkpoint(o.out / "best.safetensors", model, nullptr, meta);
    }
    auto meta = metadata(epoch, attention);
    meta["val_accuracy"] = std::to_string(val.accuracy);
    meta["val_loss"] = std::to_string(val.mean_loss);
    save_checkpoint(o.out / "last.safetensors", model, &optimizer, meta);
    write_file_atomically((o.out / "metrics.csv").string(),
                          [&](std::ostream& out) { out << format_metrics_csv(result.epochs); });
    if (callbacks.on_epoch) callbacks.on_epoch(record, best);
    if (callbacks.stop_requested && callbacks.stop_requested() && epoch < o.epochs) {
      result.interrupted = true;
      break;
    }
  }
  result.best_epoch = state.best_epoch;
  return result;
}

}  // namespace braincam
