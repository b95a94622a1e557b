#include "tools/training_printout.h"

#include <unistd.h>

#include <cstdio>
#include <string>

#include "engine/dtype.h"
#include "model/recipe.h"

namespace braincam::tools {

namespace {

std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  return buffer;
}

void print_progress(const TrainProgress& p) {
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(kWidth * p.batch / p.batches);
  std::fprintf(stderr, "\repoch %2d/%d [%.*s%*s] %zu/%zu  loss %.4f  %6.1f img/s  left %s ",
               p.epoch, p.epochs, filled, "########################", kWidth - filled, "", p.batch,
               p.batches, p.loss, p.images_per_s, clock_text(p.seconds_left).c_str());
  std::fflush(stderr);
}

// The training recipe's settings that are not the default.
void print_recipe(const TrainOptions& run) {
  const LrScheduleOptions& s = run.lr_schedule;
  switch (s.kind) {
    case LrScheduleKind::constant:
      break;
    case LrScheduleKind::cosine:
      std::printf(", cosine lr schedule to %g", s.min_lr);
      break;
    case LrScheduleKind::step:
      std::printf(", lr x %g every %d epochs", s.gamma, s.step_epochs);
      break;
    case LrScheduleKind::plateau:
      std::printf(", lr x %g after %d epochs on a plateau (floor %g)", s.gamma,
                  s.plateau_patience + 1, s.min_lr);
      break;
  }
  if (run.early_stopping > 0) std::printf(", early stopping after %d", run.early_stopping);
  if (run.balance == Balance::sampling) std::printf(", class-balanced sampling");
  if (run.weight_decay > 0) std::printf(", weight decay %g", run.weight_decay);
  if (run.augment.enabled()) std::printf(", augment %s", data::to_string(run.augment).c_str());
  if (run.batchnorm_statistics == BatchNormStatistics::reestimated)
    std::printf(", batchnorm statistics re-estimated");
  if (run.shuffle_labels) std::printf(", training labels shuffled (validation labels true)");
  if (run.classes == ClassTask::all) std::printf(", every class of the cache (top-1 accuracy)");
}

}  // namespace

TrainCallbacks training_printout() {
  const bool tty = ::isatty(STDERR_FILENO);
  TrainCallbacks callbacks;
  if (tty) callbacks.on_batch = print_progress;
  callbacks.on_epoch = [tty](const EpochRecord& r, bool best) {
    if (tty) std::fprintf(stderr, "\r%*s\r", 100, "");
    std::printf(
        "epoch %2d  attention %-3s  train loss %.4f acc %.4f  val loss %.4f acc %.4f  %6.1f img/s  "
        "%5.1f s%s\n",
        r.epoch, r.attention ? "on" : "off", r.train_loss, r.train_accuracy, r.val_loss,
        r.val_accuracy, r.images_per_s, r.seconds, best ? "  (best)" : "");
    if (!r.stop.empty()) std::printf("%s\n", r.stop.c_str());
    std::fflush(stdout);
  };
  // The run's settings: a resumed run's are its checkpoint's.
  callbacks.on_start = [](const TrainOptions& run) {
    std::printf(
        "training on %s: %d epochs, batch %d, lr %g, attention %s", device_name(run.device),
        run.epochs, run.batch, run.lr,
        run.attention ? ("from epoch " + std::to_string(run.warmup_epochs + 1)).c_str() : "off");
    if (run.fold.count > 0) std::printf(", fold %d/%d", run.fold.index, run.fold.count);
    std::printf(", recipe %s", name_of(kRecipeNames, run.recipe));
    print_recipe(run);
    std::printf("\n");
  };
  return callbacks;
}

}  // namespace braincam::tools
