#pragma once
// The training recipe's options, shared by `braincam train` and `braincam crossval`: the named
// recipe (model/recipe.h), the learning-rate schedule (model/lr_schedule.h), early stopping and
// class-balanced batches (model/epoch_order.h).
#include <CLI/CLI.hpp>

#include "model/train_options.h"

namespace braincam::tools {

// Adds --recipe (default: seed), --lr-schedule, --lr-min, --lr-step-epochs, --lr-gamma,
// --plateau-patience, --early-stopping, --weight-decay, --balance and --augment to `cmd`, parsed
// into `options`. `cmd` must have --epochs, --batch, --lr and --warmup-epochs.
void add_recipe_options(CLI::App& cmd, TrainOptions& options);

// Once parsed: gives every recipe setting whose flag is not on the command line the recipe's
// value (model/recipe.h), then throws CLI::ValidationError naming the flag when the settings do
// not fit together: --lr-min not below --lr, or a schedule's flag given with another schedule.
void settle_recipe_options(const CLI::App& cmd, TrainOptions& options);

// Throws CLI::ValidationError naming the first recipe flag given: a resumed run keeps its own.
void refuse_recipe_options_on_resume(const CLI::App& cmd);

}  // namespace braincam::tools
