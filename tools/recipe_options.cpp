#include "tools/recipe_options.h"

#include <algorithm>
#include <string>
#include <vector>

#include "model/recipe.h"
#include "tools/choice_option.h"
#include "tools/number_checks.h"

namespace braincam::tools {

namespace {

constexpr const char* kRecipeFlags[] = {"--lr-schedule", "--lr-min",           "--lr-step-epochs",
                                        "--lr-gamma",    "--plateau-patience", "--early-stopping",
                                        "--balance",     "--weight-decay",     "--augment",
                                        "--recipe",      "--bn-statistics"};

// The schedules that take `flag`, and their names for the error.
struct FlagSchedules {
  const char* flag;
  std::initializer_list<LrScheduleKind> kinds;
  const char* names;
};

// The recipe's value for each of its settings that the command line does not give.
void apply_recipe(const CLI::App& cmd, TrainOptions& o) {
  const TrainOptions r = recipe_options(o.recipe);
  auto unless_given = [&cmd](const char* flag, auto& setting, const auto& value) {
    if (cmd.count(flag) == 0) setting = value;
  };
  unless_given("--epochs", o.epochs, r.epochs);
  unless_given("--batch", o.batch, r.batch);
  unless_given("--lr", o.lr, r.lr);
  unless_given("--warmup-epochs", o.warmup_epochs, r.warmup_epochs);
  unless_given("--lr-schedule", o.lr_schedule.kind, r.lr_schedule.kind);
  unless_given("--lr-min", o.lr_schedule.min_lr, r.lr_schedule.min_lr);
  unless_given("--lr-step-epochs", o.lr_schedule.step_epochs, r.lr_schedule.step_epochs);
  unless_given("--lr-gamma", o.lr_schedule.gamma, r.lr_schedule.gamma);
  unless_given("--plateau-patience", o.lr_schedule.plateau_patience,
               r.lr_schedule.plateau_patience);
  unless_given("--early-stopping", o.early_stopping, r.early_stopping);
  unless_given("--weight-decay", o.weight_decay, r.weight_decay);
  unless_given("--balance", o.balance, r.balance);
  unless_given("--augment", o.augment, r.augment);
  unless_given("--bn-statistics", o.batchnorm_statistics, r.batchnorm_statistics);
}

}  // namespace

void add_recipe_options(CLI::App& cmd, TrainOptions& o) {
  add_choice(cmd, "--recipe", o.recipe, kRecipeNames,
             "the settings of every flag below and of --epochs, --batch, --lr and "
             "--warmup-epochs that is not given: seed (the seed's schedule, as the defaults "
             "shown) or augmented (with weight decay 0.01 and --augment "
             "flip,rotate,shift,bias,noise)");
  LrScheduleOptions& s = o.lr_schedule;
  add_choice(cmd, "--lr-schedule", s.kind, kLrScheduleNames,
             "the learning rate of each epoch, as PyTorch's "
             "CosineAnnealingLR (T_max: the epochs), StepLR and ReduceLROnPlateau");
  cmd.add_option("--lr-min", s.min_lr, "the floor of the cosine and plateau schedules")
      ->capture_default_str()
      ->check(kNonNegative);
  cmd.add_option("--lr-step-epochs", s.step_epochs,
                 "step: multiply the learning rate by --lr-gamma every this many epochs")
      ->capture_default_str()
      ->check(kPositive);
  cmd.add_option("--lr-gamma", s.gamma, "step and plateau: the factor of each decrease")
      ->capture_default_str()
      ->check(positive_below(1));
  cmd.add_option("--plateau-patience", s.plateau_patience,
                 "plateau: epochs without a better validation loss before the learning rate "
                 "decreases after the next one (PyTorch's patience)")
      ->capture_default_str()
      ->check(kNonNegative);
  cmd.add_option("--early-stopping", o.early_stopping,
                 "stop when the validation accuracy that picks best.safetensors has not improved "
                 "for this many epochs (0: off)")
      ->capture_default_str()
      ->check(kNonNegative);
  cmd.add_option("--weight-decay", o.weight_decay,
                 "AdamW's decoupled weight decay, as torch.optim.AdamW (0: Adam)")
      ->capture_default_str()
      ->check(kNonNegative);
  add_choice(cmd, "--balance", o.balance, kBalanceNames,
             "draw each epoch's batches with both classes equally likely (with "
             "replacement)");
  add_choice(cmd, "--bn-statistics", o.batchnorm_statistics, kBatchNormStatisticsNames,
             "the batchnorm statistics of validation and checkpoints: running (the average "
             "training keeps) or reestimated from the training images at each epoch's end");
  cmd.add_option_function<std::string>(
         "--augment",
         [&o](const std::string& text) {
           try {
             o.augment = data::parse_online_augment(text);
           } catch (const std::invalid_argument& e) {
             throw CLI::ValidationError("--augment", e.what());
           }
         },
         "transform training batches on the fly: none, seed (the seed's offline ranges), mri "
         "(all of flip, rotate, shift, bias, contrast, intensity, gamma, noise) or a "
         "comma-separated list of those")
      ->default_str(data::to_string(o.augment));
}

void settle_recipe_options(const CLI::App& cmd, TrainOptions& o) {
  apply_recipe(cmd, o);
  using enum LrScheduleKind;
  const FlagSchedules fits[] = {{"--lr-min", {cosine, plateau}, "cosine or plateau"},
                                {"--lr-step-epochs", {step}, "step"},
                                {"--lr-gamma", {step, plateau}, "step or plateau"},
                                {"--plateau-patience", {plateau}, "plateau"}};
  for (const FlagSchedules& f : fits)
    if (cmd.count(f.flag) > 0 &&
        std::find(f.kinds.begin(), f.kinds.end(), o.lr_schedule.kind) == f.kinds.end())
      throw CLI::ValidationError(f.flag, std::string("only with --lr-schedule ") + f.names);
  if (o.lr_schedule.min_lr >= o.lr)
    throw CLI::ValidationError("--lr-min",
                               "must be below --lr (" + CLI::detail::to_string(o.lr) + ")");
}

void refuse_recipe_options_on_resume(const CLI::App& cmd) {
  for (const char* flag : kRecipeFlags)
    if (cmd.count(flag) > 0)
      throw CLI::ValidationError(flag, "not with --resume, which keeps the run's own settings");
}

}  // namespace braincam::tools
