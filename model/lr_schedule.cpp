#include "model/lr_schedule.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace braincam {

namespace {

// ReduceLROnPlateau's defaults that braincam does not expose.
constexpr double kPlateauThreshold = 1e-4;  // relative: better means below best * (1 - 1e-4)
constexpr double kPlateauEps = 1e-8;        // a reduction smaller than this is skipped

// PyTorch multiplies the lr in place at every decay; so does this, for the same rounding.
double decayed(double lr, double gamma, int times) {
  for (int i = 0; i < times; ++i) lr *= gamma;
  return lr;
}

// The plateau schedule's lr after `reductions`, each max(lr * gamma, min_lr) (_reduce_lr).
double plateau_lr(const TrainOptions& o, int reductions) {
  double lr = o.lr;
  for (int i = 0; i < reductions; ++i)
    lr = std::max(lr * o.lr_schedule.gamma, o.lr_schedule.min_lr);
  return lr;
}

}  // namespace

void PlateauState::end_epoch(double val_loss, const TrainOptions& o) {
  if (val_loss < best_loss * (1 - kPlateauThreshold)) {
    best_loss = val_loss;
    bad_epochs = 0;
  } else {
    ++bad_epochs;
  }
  if (bad_epochs <= o.lr_schedule.plateau_patience) return;
  bad_epochs = 0;
  const double now = plateau_lr(o, reductions);
  if (now - std::max(now * o.lr_schedule.gamma, o.lr_schedule.min_lr) > kPlateauEps) ++reductions;
}

double epoch_lr(const TrainOptions& o, int epoch, const PlateauState& plateau) {
  const LrScheduleOptions& s = o.lr_schedule;
  switch (s.kind) {
    case LrScheduleKind::constant:
      return o.lr;
    case LrScheduleKind::cosine:  // written so that epoch 1 gets lr exactly, as in PyTorch
      return o.lr -
             (o.lr - s.min_lr) * (1 - std::cos(std::numbers::pi * (epoch - 1) / o.epochs)) / 2;
    case LrScheduleKind::step:
      return decayed(o.lr, s.gamma, (epoch - 1) / s.step_epochs);
    case LrScheduleKind::plateau:
      return plateau_lr(o, plateau.reductions);
  }
  return o.lr;
}

}  // namespace braincam
