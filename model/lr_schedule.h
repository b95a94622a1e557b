#pragma once
// The learning rate of each epoch of a run (TrainOptions::lr_schedule), as PyTorch's schedulers
// give it when stepped once after every epoch:
//   constant  the run's lr throughout;
//   cosine    CosineAnnealingLR(T_max = the run's epochs, eta_min = min_lr), its closed form:
//             min_lr + (lr - min_lr) (1 + cos(pi (epoch - 1) / epochs)) / 2;
//   step      StepLR(step_size = step_epochs, gamma): lr multiplied by gamma every step_epochs;
//   plateau   ReduceLROnPlateau(mode min, factor = gamma, patience, threshold 1e-4 rel,
//             cooldown 0, min_lr, eps 1e-8) stepped with each epoch's validation loss.
// The attention warm-up epochs take the schedule's values like any other epoch.
#include <limits>

#include "model/train_options.h"

namespace braincam {

// What the plateau schedule carries from one epoch to the next (RunState keeps it, and so the
// checkpoints of a plateau run).
struct PlateauState {
  double best_loss = std::numeric_limits<double>::infinity();
  int bad_epochs = 0;  // epochs since the validation loss last improved
  int reductions = 0;  // times the learning rate was multiplied by gamma

  // Takes the validation loss of the epoch that just ended, as ReduceLROnPlateau::step does.
  void end_epoch(double val_loss, const TrainOptions& options);
};

// The learning rate of epoch `epoch` (1 to options.epochs); `plateau` is read by the plateau
// schedule only.
double epoch_lr(const TrainOptions& options, int epoch, const PlateauState& plateau);

}  // namespace braincam
