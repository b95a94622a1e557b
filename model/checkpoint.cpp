#include "model/checkpoint.h"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace braincam {

namespace {

using json = nlohmann::json;

constexpr const char* kCheckpointFormat = "braincam-checkpoint-1";

// Doubles in metadata are written as hexadecimal floats, so they come back bit for bit.
std::string exact(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%a", v);
  return buffer;
}
double parse_double(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

const std::string& field(const CheckpointMetadata& meta, const std::string& key,
                         const std::filesystem::path& file) {
  const auto it = meta.find(key);
  if (it == meta.end()) throw std::runtime_error(file.string() + ": metadata has no '" + key + "'");
  return it->second;
}

void require_training_checkpoint(const CheckpointMetadata& meta,
                                 const std::filesystem::path& file) {
  const auto format = meta.find("format");
  if (format == meta.end() || format->second != kCheckpointFormat)
    throw std::runtime_error(file.string() +
                             ": not a braincam training checkpoint (metadata format is not " +
                             kCheckpointFormat + ")");
}

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
  o.lr = parse_double(j.at("lr").get<std::string>());
  o.attention = j.at("attention");
  o.augment = j.at("augment");
  o.seed = j.at("seed");
  o.max_train_images = j.at("max_train_images");
}

}  // namespace

bool RunState::end_epoch(int done, double val_accuracy, double val_loss) {
  epochs_done = done;
  epoch = {};
  const bool best =
      val_accuracy > best_accuracy || (val_accuracy == best_accuracy && val_loss < best_loss);
  if (best) {
    best_accuracy = val_accuracy;
    best_loss = val_loss;
    best_epoch = done;
  }
  return best;
}

CheckpointMetadata checkpoint_metadata(const TrainOptions& o, std::uint64_t cache_fingerprint,
                                       const RunState& state, bool attention) {
  return {{"epoch", std::to_string(state.epochs_done)},
          {"attention", attention ? "on" : "off"},
          {"seed", std::to_string(o.seed)},
          {"options", options_json(o).dump()},
          {"cache_fingerprint", std::to_string(cache_fingerprint)},
          {"batches_done", std::to_string(state.epoch.batches_done)},
          {"partial_loss_sum", exact(state.epoch.loss_sum)},
          {"partial_correct", std::to_string(state.epoch.correct)},
          {"partial_seen", std::to_string(state.epoch.seen)},
          {"best_val_accuracy", exact(state.best_accuracy)},
          {"best_val_loss", exact(state.best_loss)},
          {"best_epoch", std::to_string(state.best_epoch)}};
}

RunState run_state(const CheckpointMetadata& metadata, const std::filesystem::path& file) {
  auto meta = [&](const char* key) -> const std::string& { return field(metadata, key, file); };
  RunState state;
  state.epochs_done = std::stoi(meta("epoch"));
  state.epoch.batches_done = std::stoull(meta("batches_done"));
  state.epoch.loss_sum = parse_double(meta("partial_loss_sum"));
  state.epoch.correct = std::stoll(meta("partial_correct"));
  state.epoch.seen = std::stoll(meta("partial_seen"));
  state.best_accuracy = parse_double(meta("best_val_accuracy"));
  state.best_loss = parse_double(meta("best_val_loss"));
  state.best_epoch = std::stoi(meta("best_epoch"));
  return state;
}

void save_checkpoint(const std::filesystem::path& file, const BrainDetectionModel& model,
                     const Adam* optimizer, CheckpointMetadata metadata) {
  StateDict dict = model.state_dict();
  if (optimizer) dict.merge(optimizer->state_dict());
  metadata["format"] = kCheckpointFormat;
  write_safetensors(file.string(), dict, metadata);
}

CheckpointMetadata load_checkpoint(const std::filesystem::path& file, BrainDetectionModel& model) {
  const Safetensors st = read_safetensors(file.string());
  require_training_checkpoint(st.metadata, file);
  model.load_state_dict(st.tensors, file.string());
  return st.metadata;
}

ResumedRun resume_run(const TrainOptions& given, std::uint64_t cache_fingerprint) {
  const std::filesystem::path last = given.resume / "last.safetensors";
  ResumedRun run{
      .options = given, .state = {}, .epochs = {}, .checkpoint = read_safetensors(last.string())};
  const CheckpointMetadata& meta = run.checkpoint.metadata;
  require_training_checkpoint(meta, last);
  if (std::stoull(field(meta, "cache_fingerprint", last)) != cache_fingerprint)
    throw std::runtime_error(last.string() + ": was trained on another dataset cache than " +
                             given.cache.string());
  apply_options_json(json::parse(field(meta, "options", last)), run.options);
  run.options.out = given.resume;
  run.state = run_state(meta, last);
  run.epochs = read_metrics_csv(given.resume / "metrics.csv");
  std::erase_if(run.epochs, [&](const EpochRecord& r) { return r.epoch > run.state.epochs_done; });
  return run;
}

void ResumedRun::restore(BrainDetectionModel& model, Adam& optimizer) const {
  const std::string source = (options.resume / "last.safetensors").string();
  model.load_state_dict(checkpoint.tensors, source);
  optimizer.load_state_dict(checkpoint.tensors, source);
}

}  // namespace braincam
