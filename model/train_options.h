#pragma once
// The settings of a training run (model/trainer.h), which its checkpoints keep
// (model/checkpoint.h).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <utility>

#include "data/online_augment.h"
#include "engine/dtype.h"
#include "model/decision_threshold.h"

namespace braincam {

// Fold `index` (1 to `count`) of the grouped, stratified k-fold over the cache's train and val
// splits (data/kfold.h): the run trains on the other folds and validates on this one. A count of
// 0: the cache's own train and val splits.
struct FoldChoice {
  int index = 0, count = 0;
};

// The learning rate of each epoch (model/lr_schedule.h), as PyTorch's schedulers define it.
enum class LrScheduleKind { constant, cosine, step, plateau };
// Their names on the command line and in checkpoints.
inline constexpr std::pair<const char*, LrScheduleKind> kLrScheduleNames[] = {
    {"constant", LrScheduleKind::constant},
    {"cosine", LrScheduleKind::cosine},
    {"step", LrScheduleKind::step},
    {"plateau", LrScheduleKind::plateau}};

struct LrScheduleOptions {
  LrScheduleKind kind = LrScheduleKind::constant;
  double min_lr = 0;          // cosine's floor (eta_min) and plateau's (min_lr)
  int step_epochs = 5;        // step: the lr is multiplied by `gamma` every this many epochs
  double gamma = 0.1;         // step's gamma, plateau's factor
  int plateau_patience = 10;  // plateau: epochs without a better validation loss that are let pass
};

// How each epoch's batches are drawn: a shuffle of the training images, or `sampling`: as many
// draws, with replacement, each of either class with probability 1/2 (model/epoch_order.h).
enum class Balance { none, sampling };
inline constexpr std::pair<const char*, Balance> kBalanceNames[] = {
    {"none", Balance::none}, {"sampling", Balance::sampling}};

// The batchnorm running statistics that validation and the checkpoints use: `running`, the
// exponential average that training keeps (PyTorch's default), or `reestimated` at the end of
// every epoch from the training images with the epoch's final weights
// (model/batchnorm_reestimation.h).
enum class BatchNormStatistics { running, reestimated };
inline constexpr std::pair<const char*, BatchNormStatistics> kBatchNormStatisticsNames[] = {
    {"running", BatchNormStatistics::running}, {"reestimated", BatchNormStatistics::reestimated}};

// The classes a run learns: `binary`, tumor against no tumor (the binary model, K = 1), or `all`,
// every class the dataset cache's manifest names (the K-class model, K >= 2;
// model/cache_classes.h).
enum class ClassTask { binary, all };
inline constexpr std::pair<const char*, ClassTask> kClassTaskNames[] = {
    {"binary", ClassTask::binary}, {"all", ClassTask::all}};

// A named set of the options below (model/recipe.h).
enum class RecipeKind { seed, augmented };

// The name of `value` in a table of names.
template <class Enum, std::size_t N>
const char* name_of(const std::pair<const char*, Enum> (&names)[N], Enum value) {
  for (const auto& [name, v] : names)
    if (v == value) return name;
  return names[0].first;
}

struct TrainOptions {
  std::filesystem::path cache, out;
  // epochs in all; when resuming, 0 keeps the run's own (a larger number extends it)
  int epochs = 15, batch = 32, warmup_epochs = 2;
  double lr = 1e-3;
  // AdamW's decoupled weight decay λ (engine/adam.h): 0 is the seed's plain Adam.
  double weight_decay = 0;
  bool attention = true;        // false: attention off in every epoch (the plain baseline)
  data::OnlineAugment augment;  // on-the-fly augmentation of training batches
  std::uint64_t seed = 0;
  Device device = Device::CPU;
  // On the emulator and the GPU: replay each training step from a recorded device graph
  // (model/training_step_runner.h); false: queue every kernel from the host. The same results
  // either way.
  bool graphs = true;
  // A RUN folder to continue from (empty: start afresh in `out`); with an empty `cache`, the
  // run's own cache is used.
  std::filesystem::path resume;
  bool overwrite = false;    // start afresh even when `out` holds files (they are removed)
  int max_train_images = 0;  // > 0: use only the first this many of the shuffled training images
  FoldChoice fold;           // the folds are drawn with `seed`
  // How the decision threshold of best.safetensors is set when the run ends (not kept in the
  // run's settings: a resumed run takes the given one).
  ThresholdRule threshold = ThresholdRule::validation;
  LrScheduleOptions lr_schedule;
  // > 0: stop when the validation accuracy that picks best.safetensors (ties: lower loss) has not
  // improved for this many epochs; 0: train every epoch.
  int early_stopping = 0;
  Balance balance = Balance::none;
  BatchNormStatistics batchnorm_statistics = BatchNormStatistics::running;
  // Train on the training images' labels permuted among them with the run's seed (the data
  // randomization test of `braincam sanity`, Adebayo et al. 2018). The validation labels stay
  // true: validation then shows the model at chance, and best.safetensors, picked on them, may
  // hold a chance agreement with the true labels; RUN/last.safetensors is the model that fit the
  // permuted labels.
  bool shuffle_labels = false;
  ClassTask classes = ClassTask::binary;
  RecipeKind recipe = RecipeKind::seed;  // the recipe the settings above came from
};

// Whether epoch `epoch` (1-based) trains with attention.
inline bool attention_in_epoch(const TrainOptions& options, int epoch) {
  return options.attention && epoch > options.warmup_epochs;
}

}  // namespace braincam
