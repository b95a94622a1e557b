#include "model/checkpoint.h"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <utility>

#include "model/checkpoint_classes.h"

namespace braincam {

namespace {

constexpr const char* kCheckpointFormat = "braincam-checkpoint-1";

void require_training_checkpoint(const CheckpointMetadata& meta,
                                 const std::filesystem::path& file) {
  const auto format = meta.find("format");
  if (format == meta.end() || format->second != kCheckpointFormat)
    throw std::runtime_error(file.string() +
                             ": not a braincam training checkpoint (metadata format is not " +
                             kCheckpointFormat + ")");
}

// A checkpoint read whole, refused unless it is a training checkpoint. Its tensors' values are
// checked where they are loaded: BrainDetectionModel::load_state_dict and Adam's load refuse NaN
// and infinite values, so none reaches evaluation, nor a resumed run and its best.safetensors.
Safetensors read_checkpoint(const std::filesystem::path& file) {
  Safetensors st = read_safetensors(file.string());
  require_training_checkpoint(st.metadata, file);
  return st;
}

}  // namespace

void save_checkpoint(const std::filesystem::path& file, const BrainDetectionModel& model,
                     const Adam* optimizer, CheckpointMetadata metadata) {
  StateDict dict = model.state_dict();
  if (optimizer) dict.merge(optimizer->state_dict());
  metadata["format"] = kCheckpointFormat;
  write_safetensors(file.string(), dict, metadata);
}

void save_last_checkpoint(const std::filesystem::path& file, const TrainOptions& options,
                          const BrainDetectionModel& model, const Adam& optimizer,
                          CheckpointMetadata metadata) {
  metadata["epochs"] = std::to_string(options.epochs);
  metadata["cache"] = std::filesystem::absolute(options.cache).lexically_normal().string();
  save_checkpoint(file, model, &optimizer, std::move(metadata));
}

namespace {

// Refuses a checkpoint of another number of classes than `model`'s, naming both (a K-class
// checkpoint given to a command that takes the binary model's).
void require_model_classes(const Safetensors& st, const BrainDetectionModel& model,
                           const std::filesystem::path& file) {
  const auto fc = st.tensors.find("fc.weight");
  if (fc == st.tensors.end() || fc->second.ndim() != 2 || fc->second.dim(0) == model.classes())
    return;
  const auto names = st.metadata.find("classes");
  const auto kind = [](std::int64_t K) {
    return K == 1 ? std::string("the binary model (K = 1)") : std::to_string(K) + "-class models";
  };
  throw std::runtime_error(file.string() + ": a " + std::to_string(fc->second.dim(0)) +
                           "-class model" +
                           (names == st.metadata.end() ? "" : " " + names->second) +
                           ", where this command takes " + kind(model.classes()));
}

}  // namespace

CheckpointMetadata load_checkpoint(const std::filesystem::path& file, BrainDetectionModel& model) {
  const Safetensors st = read_checkpoint(file);
  require_model_classes(st, model, file);
  model.load_state_dict(st.tensors, file.string());
  return st.metadata;
}

ModelShape checkpoint_shape(const std::filesystem::path& file) {
  return ModelShape{.classes = fc_classes(read_checkpoint(file).tensors, file.string())};
}

bool trained_with_attention(const CheckpointMetadata& metadata) {
  const auto it = metadata.find("attention");
  return it != metadata.end() && it->second == "on";
}

bool trained_on_shuffled_labels(const CheckpointMetadata& metadata) {
  const auto it = metadata.find("options");
  if (it == metadata.end()) return false;
  const nlohmann::json options = nlohmann::json::parse(it->second, nullptr, false);
  return options.is_object() && options.contains("shuffle_labels") &&
         options["shuffle_labels"] == true;
}

namespace {

// RUN/metrics.csv's rows up to the checkpoint's epoch. The trainer writes metrics.csv before the
// checkpoint, so it may hold rows of a later epoch (dropped here) or, before the first epoch
// ends, not exist; rows missing before the checkpoint's epoch mean a damaged run folder.
std::vector<EpochRecord> metrics_up_to(const std::filesystem::path& run, int epochs_done) {
  const std::filesystem::path csv = run / "metrics.csv";
  if (epochs_done == 0 && !std::filesystem::exists(csv)) return {};
  std::vector<EpochRecord> rows = read_metrics_csv(csv);
  std::erase_if(rows, [&](const EpochRecord& r) { return r.epoch > epochs_done; });
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (rows[i].epoch != static_cast<int>(i) + 1) rows.resize(0);
  if (rows.size() != static_cast<std::size_t>(epochs_done))
    throw std::runtime_error(csv.string() + ": does not hold the rows of epochs 1 to " +
                             std::to_string(epochs_done) + ", which " +
                             (run / "last.safetensors").string() + " has trained");
  return rows;
}

}  // namespace

ResumedRun resume_run(const TrainOptions& given) {
  const std::filesystem::path last = given.resume / "last.safetensors";
  Safetensors checkpoint = read_checkpoint(last);
  ResumedSettings settings = resumed_settings(checkpoint.metadata, given, last);
  std::vector<EpochRecord> epochs = metrics_up_to(given.resume, settings.state.epochs_done);
  return {.options = std::move(settings.options),
          .state = settings.state,
          .epochs = std::move(epochs),
          .checkpoint = std::move(checkpoint),
          .cache_fingerprint = settings.cache_fingerprint};
}

void ResumedRun::require_cache(std::uint64_t fingerprint) const {
  if (fingerprint != cache_fingerprint)
    throw std::runtime_error((options.resume / "last.safetensors").string() +
                             ": was trained on another dataset cache than " +
                             options.cache.string());
}

void ResumedRun::restore(BrainDetectionModel& model, Adam& optimizer) const {
  const std::string source = (options.resume / "last.safetensors").string();
  model.load_state_dict(checkpoint.tensors, source);
  optimizer.load_state_dict(checkpoint.tensors, source);
}

}  // namespace braincam
