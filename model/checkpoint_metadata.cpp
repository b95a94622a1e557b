#include "model/checkpoint_metadata.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "model/recipe.h"

namespace braincam {

namespace {

using json = nlohmann::json;

// Doubles in metadata are written as hexadecimal floats, so they come back bit for bit.
std::string exact(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%a", v);
  return buffer;
}

// Every value read back from a checkpoint is checked: a damaged or edited file must stop with an
// error naming the file and the key, not crash or train with nonsense settings.
[[noreturn]] void bad_value(const std::filesystem::path& file, const std::string& key,
                            const std::string& want, const std::string& got) {
  throw std::runtime_error(file.string() + ": metadata '" + key + "' must be " + want + ", got '" +
                           got + "'");
}

template <class Int>
Int parse_integer(const std::string& text, Int min, const std::string& key,
                  const std::filesystem::path& file) {
  Int v{};
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, v);
  if (text.empty() || error != std::errc{} || stop != end || v < min)
    bad_value(file, key, "an integer from " + std::to_string(min), text);
  return v;
}

// A finite double, as exact() wrote it.
double parse_double(const std::string& text, const std::string& key,
                    const std::filesystem::path& file) {
  char* stop = nullptr;
  const double v = std::strtod(text.c_str(), &stop);
  if (text.empty() || *stop != '\0' || !std::isfinite(v))
    bad_value(file, key, "a finite number", text);
  return v;
}

// A non-negative integer of the options object, from `min` to Int's maximum.
template <class Int>
Int option_integer(const json& options, const char* key, Int min,
                   const std::filesystem::path& file) {
  const json* v = options.contains(key) ? &options[key] : nullptr;
  if (!v || !v->is_number_unsigned() || v->get<std::uint64_t>() < std::uint64_t(min) ||
      v->get<std::uint64_t>() > std::uint64_t{std::numeric_limits<Int>::max()})
    bad_value(file, std::string("options.") + key, "an integer from " + std::to_string(min),
              v ? v->dump() : "");
  return v->get<Int>();
}

// A finite double of the options object, as exact() wrote it (a JSON string) or a JSON number.
double option_double(const json& options, const char* key, const std::filesystem::path& file) {
  const json v = options.value(key, json());
  return parse_double(v.is_string() ? v.get<std::string>() : v.dump(),
                      std::string("options.") + key, file);
}

bool option_flag(const json& options, const char* key, const std::filesystem::path& file) {
  const std::string name = std::string("options.") + key;
  if (!options.contains(key) || !options[key].is_boolean())
    bad_value(file, name, "true or false", options.contains(key) ? options[key].dump() : "");
  return options[key].get<bool>();
}

const std::string& field(const CheckpointMetadata& meta, const std::string& key,
                         const std::filesystem::path& file) {
  const auto it = meta.find(key);
  if (it == meta.end()) throw std::runtime_error(file.string() + ": metadata has no '" + key + "'");
  return it->second;
}

// The training recipe's settings, each only when it is not the default: a run with the default
// recipe has the checkpoints it had before these settings existed.
void add_recipe_json(json& j, const TrainOptions& o) {
  const LrScheduleOptions& s = o.lr_schedule;
  if (s.kind != LrScheduleKind::constant) {
    j["lr_schedule"] = name_of(kLrScheduleNames, s.kind);
    j["lr_min"] = exact(s.min_lr);
    j["lr_step_epochs"] = s.step_epochs;
    j["lr_gamma"] = exact(s.gamma);
    j["plateau_patience"] = s.plateau_patience;
  }
  if (o.early_stopping > 0) j["early_stopping"] = o.early_stopping;
  if (o.weight_decay > 0) j["weight_decay"] = exact(o.weight_decay);
  if (o.balance != Balance::none) j["balance"] = name_of(kBalanceNames, o.balance);
  if (o.batchnorm_statistics != BatchNormStatistics::running)
    j["bn_statistics"] = name_of(kBatchNormStatisticsNames, o.batchnorm_statistics);
  if (o.recipe != RecipeKind::seed) j["recipe"] = name_of(kRecipeNames, o.recipe);
  if (o.shuffle_labels) j["shuffle_labels"] = true;
  if (o.classes != ClassTask::binary) j["classes"] = name_of(kClassTaskNames, o.classes);
}

// The on-the-fly augmentation: false and true for none and the seed's transform, as before MRI
// transforms existed (so those files are unchanged), else the list's name.
json augment_json(const data::OnlineAugment& a) {
  if (a.kind == data::OnlineAugment::Kind::mri) return data::to_string(a);
  return a.enabled();
}

data::OnlineAugment option_augment(const json& options, const std::filesystem::path& file) {
  if (options.contains("augment") && options["augment"].is_string()) {
    try {
      return data::parse_online_augment(options["augment"].get<std::string>());
    } catch (const std::invalid_argument&) {
      bad_value(file, "options.augment", "none, seed, mri or a list of MRI transforms",
                options["augment"].dump());
    }
  }
  if (!option_flag(options, "augment", file)) return {};
  return {data::OnlineAugment::Kind::seed, 0};
}

// The settings a resumed run takes from its checkpoint (not the number of epochs: a run may be
// extended; RUN/last.safetensors keeps it apart). A fold run adds `fold` and `folds`; a run on the
// cache's own split has neither, as before folds existed.
json options_json(const TrainOptions& o) {
  json j = {{"batch", o.batch},
            {"warmup_epochs", o.warmup_epochs},
            {"lr", exact(o.lr)},
            {"attention", o.attention},
            {"augment", augment_json(o.augment)},
            {"seed", o.seed},
            {"max_train_images", o.max_train_images}};
  if (o.fold.count > 0) {
    j["fold"] = o.fold.index;
    j["folds"] = o.fold.count;
  }
  add_recipe_json(j, o);
  return j;
}

// The fold of a run that has one; without `folds`, none.
FoldChoice option_fold(const json& options, const std::filesystem::path& file) {
  if (!options.contains("folds")) return {};
  FoldChoice fold;
  fold.count = option_integer(options, "folds", 2, file);
  fold.index = option_integer(options, "fold", 1, file);
  if (fold.index > fold.count)
    bad_value(file, "options.fold", "at most options.folds (" + std::to_string(fold.count) + ")",
              std::to_string(fold.index));
  return fold;
}

// One of `names` under `key`; without `key`, the first (the default).
template <class Enum, std::size_t N>
Enum option_name(const json& options, const char* key,
                 const std::pair<const char*, Enum> (&names)[N],
                 const std::filesystem::path& file) {
  if (!options.contains(key)) return names[0].second;
  std::string wanted;
  for (const auto& [name, value] : names) {
    if (options[key] == name) return value;
    wanted += std::string(wanted.empty() ? "" : "|") + name;
  }
  bad_value(file, std::string("options.") + key, wanted, options[key].dump());
}

// The schedule of a run with learning rate `lr`; without `lr_schedule`, constant.
LrScheduleOptions option_lr_schedule(const json& options, double lr,
                                     const std::filesystem::path& file) {
  LrScheduleOptions s;
  s.kind = option_name(options, "lr_schedule", kLrScheduleNames, file);
  if (s.kind == LrScheduleKind::constant) return s;
  s.min_lr = option_double(options, "lr_min", file);
  if (!(s.min_lr >= 0 && s.min_lr < lr))
    bad_value(file, "options.lr_min", "at least 0 and below options.lr", exact(s.min_lr));
  s.step_epochs = option_integer(options, "lr_step_epochs", 1, file);
  s.gamma = option_double(options, "lr_gamma", file);
  if (!(s.gamma > 0 && s.gamma < 1))
    bad_value(file, "options.lr_gamma", "above 0 and below 1", exact(s.gamma));
  s.plateau_patience = option_integer(options, "plateau_patience", 0, file);
  return s;
}

// The plateau schedule's state, which the checkpoints of a plateau run carry (the best loss once
// an epoch has ended).
void add_plateau_metadata(CheckpointMetadata& meta, const PlateauState& p) {
  if (std::isfinite(p.best_loss)) meta["plateau_best_val_loss"] = exact(p.best_loss);
  meta["plateau_bad_epochs"] = std::to_string(p.bad_epochs);
  meta["plateau_reductions"] = std::to_string(p.reductions);
}

PlateauState plateau_state(const CheckpointMetadata& meta, const std::filesystem::path& file) {
  PlateauState p;
  if (meta.contains("plateau_best_val_loss"))
    p.best_loss = parse_double(meta.at("plateau_best_val_loss"), "plateau_best_val_loss", file);
  p.bad_epochs =
      parse_integer<int>(field(meta, "plateau_bad_epochs", file), 0, "plateau_bad_epochs", file);
  p.reductions =
      parse_integer<int>(field(meta, "plateau_reductions", file), 0, "plateau_reductions", file);
  return p;
}

void apply_options_json(const std::string& text, TrainOptions& o,
                        const std::filesystem::path& file) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception&) {
    bad_value(file, "options", "a JSON object", text);
  }
  if (!j.is_object()) bad_value(file, "options", "a JSON object", text);
  o.batch = option_integer(j, "batch", 1, file);
  o.warmup_epochs = option_integer(j, "warmup_epochs", 0, file);
  o.lr = option_double(j, "lr", file);
  if (!(o.lr > 0)) bad_value(file, "options.lr", "a positive number", j["lr"].dump());
  o.attention = option_flag(j, "attention", file);
  o.augment = option_augment(j, file);
  o.seed = option_integer<std::uint64_t>(j, "seed", 0, file);
  o.max_train_images = option_integer(j, "max_train_images", 0, file);
  o.fold = option_fold(j, file);
  o.lr_schedule = option_lr_schedule(j, o.lr, file);
  o.early_stopping =
      j.contains("early_stopping") ? option_integer(j, "early_stopping", 1, file) : 0;
  o.balance = option_name(j, "balance", kBalanceNames, file);
  o.batchnorm_statistics = option_name(j, "bn_statistics", kBatchNormStatisticsNames, file);
  o.recipe = option_name(j, "recipe", kRecipeNames, file);
  o.weight_decay = j.contains("weight_decay") ? option_double(j, "weight_decay", file) : 0;
  if (!(o.weight_decay >= 0))
    bad_value(file, "options.weight_decay", "a number >= 0", j["weight_decay"].dump());
  o.shuffle_labels = j.contains("shuffle_labels") && option_flag(j, "shuffle_labels", file);
  o.classes = option_name(j, "classes", kClassTaskNames, file);
}

// The dataset cache of a resumed run: the given one, or the one the checkpoint names.
std::filesystem::path cache_of_run(const TrainOptions& given, const CheckpointMetadata& meta,
                                   const std::filesystem::path& file) {
  if (!given.cache.empty()) return given.cache;
  const auto it = meta.find("cache");
  if (it == meta.end())
    throw std::runtime_error(file.string() +
                             ": metadata has no 'cache' (an older checkpoint): pass --cache");
  return it->second;
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
  CheckpointMetadata meta = {{"epoch", std::to_string(state.epochs_done)},
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
  if (o.lr_schedule.kind == LrScheduleKind::plateau) add_plateau_metadata(meta, state.plateau);
  return meta;
}

RunState run_state(const CheckpointMetadata& metadata, const std::filesystem::path& file) {
  auto meta = [&](const char* key) -> const std::string& { return field(metadata, key, file); };
  auto count = [&](const char* key) {
    return parse_integer<std::int64_t>(meta(key), 0, key, file);
  };
  auto number = [&](const char* key) { return parse_double(meta(key), key, file); };
  if (meta("attention") != "on" && meta("attention") != "off")
    bad_value(file, "attention", "on or off", meta("attention"));
  RunState state;
  state.epochs_done = parse_integer<int>(meta("epoch"), 0, "epoch", file);
  state.epoch.batches_done =
      parse_integer<std::size_t>(meta("batches_done"), 0, "batches_done", file);
  state.epoch.loss_sum = number("partial_loss_sum");
  state.epoch.correct = count("partial_correct");
  state.epoch.seen = count("partial_seen");
  state.best_accuracy = number("best_val_accuracy");
  state.best_loss = number("best_val_loss");
  state.best_epoch = parse_integer<int>(meta("best_epoch"), 0, "best_epoch", file);
  return state;
}

ResumedSettings resumed_settings(const CheckpointMetadata& meta, const TrainOptions& given,
                                 const std::filesystem::path& file) {
  ResumedSettings run{.options = given, .state = {}, .cache_fingerprint = 0};
  run.cache_fingerprint = parse_integer<std::uint64_t>(field(meta, "cache_fingerprint", file), 0,
                                                       "cache_fingerprint", file);
  run.options.cache = cache_of_run(given, meta, file);
  apply_options_json(field(meta, "options", file), run.options, file);
  // Checkpoints written before the number of epochs was recorded keep the given one (or 15).
  if (given.epochs <= 0)
    run.options.epochs = meta.contains("epochs")
                             ? parse_integer<int>(meta.at("epochs"), 1, "epochs", file)
                             : TrainOptions{}.epochs;
  run.options.out = given.resume;
  run.state = run_state(meta, file);
  if (run.options.lr_schedule.kind == LrScheduleKind::plateau)
    run.state.plateau = plateau_state(meta, file);
  return run;
}

}  // namespace braincam
