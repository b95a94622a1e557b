// libFuzzer target: arbitrary text as the metadata of a run's RUN/last.safetensors, read back as
// a resumed run reads it (resumed_settings: the options JSON, the counts, the hexadecimal
// doubles). The input holds one `key=value` per line (split at the first '='; a later line
// overrides an earlier one). Refusing the metadata with a std::runtime_error is fine; anything
// else — a crash, a sanitizer report, another exception type — is a bug. Metadata that are
// accepted must come back unchanged when written again (a resumed run continues bit for bit).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "model/checkpoint_metadata.h"

namespace {

using braincam::CheckpointMetadata;

CheckpointMetadata metadata_of(std::string_view text) {
  CheckpointMetadata meta;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    const std::size_t eq = line.find('=');
    if (eq != std::string_view::npos)
      meta[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return meta;
}

bool same(const braincam::ResumedSettings& a, const braincam::ResumedSettings& b) {
  const braincam::TrainOptions &o = a.options, &p = b.options;
  const braincam::RunState &s = a.state, &t = b.state;
  return a.cache_fingerprint == b.cache_fingerprint && o.cache == p.cache && o.epochs == p.epochs &&
         o.batch == p.batch && o.warmup_epochs == p.warmup_epochs && o.lr == p.lr &&
         o.attention == p.attention && o.augment == p.augment && o.recipe == p.recipe &&
         o.batchnorm_statistics == p.batchnorm_statistics && o.seed == p.seed &&
         o.max_train_images == p.max_train_images && s.epochs_done == t.epochs_done &&
         s.epoch.batches_done == t.epoch.batches_done && s.epoch.loss_sum == t.epoch.loss_sum &&
         s.epoch.correct == t.epoch.correct && s.epoch.seen == t.epoch.seen &&
         s.best_accuracy == t.best_accuracy && s.best_loss == t.best_loss &&
         s.best_epoch == t.best_epoch && o.lr_schedule.kind == p.lr_schedule.kind &&
         o.lr_schedule.min_lr == p.lr_schedule.min_lr &&
         o.lr_schedule.step_epochs == p.lr_schedule.step_epochs &&
         o.lr_schedule.gamma == p.lr_schedule.gamma &&
         o.lr_schedule.plateau_patience == p.lr_schedule.plateau_patience &&
         o.early_stopping == p.early_stopping && o.balance == p.balance &&
         o.weight_decay == p.weight_decay && s.plateau.best_loss == t.plateau.best_loss &&
         s.plateau.bad_epochs == t.plateau.bad_epochs &&
         s.plateau.reductions == t.plateau.reductions;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace braincam;
  const CheckpointMetadata meta =
      metadata_of(std::string_view(reinterpret_cast<const char*>(data), size));
  // As `train --resume RUN` without --epochs or --cache: every key is read.
  const TrainOptions given{.epochs = 0, .resume = "run"};
  ResumedSettings read;
  try {
    read = resumed_settings(meta, given, "run/last.safetensors");
  } catch (const std::runtime_error&) {
    return 0;
  }
  // Written again as save_last_checkpoint writes them, they must read back the same.
  CheckpointMetadata again = checkpoint_metadata(read.options, read.cache_fingerprint, read.state,
                                                 meta.at("attention") == "on");
  again["epochs"] = std::to_string(read.options.epochs);
  again["cache"] = read.options.cache.string();
  if (!same(read, resumed_settings(again, given, "run/last.safetensors"))) std::abort();
  return 0;
}
