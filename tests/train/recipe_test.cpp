// The training recipe's options: the learning-rate schedules (their values, and the lr reaching
// steps replayed from recorded graphs), early stopping, class-balanced sampling, and a resumed
// run with them. tests/parity/lr_schedule_torch.py checks the schedules against PyTorch's.
#include "model/recipe.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numbers>
#include <set>

#include "engine/safetensors.h"
#include "model/epoch_order.h"
#include "model/lr_schedule.h"
#include "model/trainer.h"
#include "tests/train/tiny_run.h"

using namespace braincam;
using namespace braincam::test;
namespace fs = std::filesystem;

namespace {

TrainOptions with_schedule(LrScheduleKind kind) {
  TrainOptions o;
  o.epochs = 10;
  o.lr = 0.01;
  o.lr_schedule = {
      .kind = kind, .min_lr = 0.001, .step_epochs = 3, .gamma = 0.5, .plateau_patience = 1};
  return o;
}

nlohmann::json options_of(const fs::path& checkpoint) {
  return nlohmann::json::parse(read_safetensors(checkpoint.string()).metadata.at("options"));
}

}  // namespace

TEST_CASE("lr schedule: constant, cosine and step, epoch by epoch") {
  const PlateauState none;
  const TrainOptions constant = with_schedule(LrScheduleKind::constant);
  for (int e = 1; e <= 10; ++e) CHECK(epoch_lr(constant, e, none) == 0.01);

  const TrainOptions cosine = with_schedule(LrScheduleKind::cosine);
  CHECK(epoch_lr(cosine, 1, none) == 0.01);
  CHECK(epoch_lr(cosine, 6, none) == Approx(0.0055));  // half way: the mean of lr and floor
  CHECK(epoch_lr(cosine, 10, none) ==
        Approx(0.001 + 0.009 * (1 + std::cos(std::numbers::pi * 0.9)) / 2));
  for (int e = 2; e <= 10; ++e) CHECK(epoch_lr(cosine, e, none) < epoch_lr(cosine, e - 1, none));

  const TrainOptions step = with_schedule(LrScheduleKind::step);
  const double want[] = {0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.0025, 0.0025, 0.0025, 0.00125};
  for (int e = 1; e <= 10; ++e) CHECK(epoch_lr(step, e, none) == want[e - 1]);
}

TEST_CASE("lr schedule: plateau, as ReduceLROnPlateau (threshold 1e-4 rel, min_lr, eps)") {
  const TrainOptions o = with_schedule(LrScheduleKind::plateau);  // patience 1, factor 0.5
  PlateauState p;
  auto after = [&](double loss) {
    p.end_epoch(loss, o);
    return epoch_lr(o, 0, p);
  };
  CHECK(epoch_lr(o, 1, p) == 0.01);
  CHECK(after(1.0) == 0.01);      // the first loss is an improvement
  CHECK(after(0.99995) == 0.01);  // not better by 1e-4 of the best: one bad epoch (the patience)
  CHECK(p.bad_epochs == 1);
  CHECK(after(0.9) == 0.01);  // better: the count starts again
  CHECK(p.bad_epochs == 0);
  CHECK(after(0.95) == 0.01);
  CHECK(after(0.95) == 0.005);  // two bad epochs are more than the patience: halved
  CHECK(p.bad_epochs == 0);
  for (int i = 0; i < 4; ++i) after(1.0);
  CHECK(epoch_lr(o, 0, p) == 0.00125);  // halved twice more
  for (int i = 0; i < 2; ++i) after(1.0);
  CHECK(epoch_lr(o, 0, p) == 0.001);  // 0.000625, but not below the floor
  const int reductions = p.reductions;
  for (int i = 0; i < 4; ++i) after(1.0);
  CHECK(p.reductions == reductions);  // at the floor a reduction is below eps: not counted
}

TEST_CASE("balanced sampling: both classes equally likely, drawn from (seed, epoch)") {
  std::vector<float> labels(200, 0.0f);
  for (std::size_t i = 0; i < 20; ++i) labels[i * 10] = 1.0f;  // 10% tumor
  std::size_t tumor = 0, draws = 0;
  std::set<std::size_t> tumor_images;
  for (int epoch = 1; epoch <= 30; ++epoch) {
    const auto order = epoch_positions(labels, Balance::sampling, 3, epoch);
    REQUIRE(order.size() == labels.size());
    for (std::size_t p : order) {
      REQUIRE(p < labels.size());
      tumor += labels[p] > 0.5f;
      if (labels[p] > 0.5f) tumor_images.insert(p);
    }
    draws += order.size();
  }
  // 6,000 draws: the share's standard deviation is 0.0065.
  CHECK(static_cast<double>(tumor) / draws == Approx(0.5).margin(0.03));
  CHECK(tumor_images.size() == 20);  // every minority image is drawn
  CHECK(epoch_positions(labels, Balance::sampling, 3, 7) ==
        epoch_positions(labels, Balance::sampling, 3, 7));
  CHECK(epoch_positions(labels, Balance::sampling, 3, 7) !=
        epoch_positions(labels, Balance::sampling, 3, 8));
  CHECK(epoch_positions(labels, Balance::sampling, 3, 7) !=
        epoch_positions(labels, Balance::sampling, 4, 7));
  // Without balancing: every image once.
  auto order = epoch_positions(labels, Balance::none, 3, 7);
  std::sort(order.begin(), order.end());
  for (std::size_t i = 0; i < order.size(); ++i) CHECK(order[i] == i);
  // One class only: nothing to balance.
  CHECK_THROWS_WITH(epoch_positions(std::vector<float>(5, 1.0f), Balance::sampling, 3, 1),
                    Catch::Contains("both classes"));
}

// A changed lr must reach the steps replayed from recorded graphs: Adam's step sizes come from
// descriptors that Adam::advance writes before each replay, not from the recording.
TEST_CASE("lr schedule: on the emulator, replayed steps take each epoch's lr as steps op by op") {
  auto run = [](bool graphs, const std::string& name) {
    TrainOptions o = tiny_options(name);
    o.epochs = 2;
    o.warmup_epochs = 2;  // one attention setting
    o.batch = 1;
    o.max_train_images = 2;  // epoch 1 records the step on its second batch, epoch 2 replays it
    o.device = Device::Emulator;
    o.graphs = graphs;
    o.lr_schedule = {.kind = LrScheduleKind::step, .step_epochs = 1, .gamma = 0.25};
    train(o);
    return o.out;
  };
  const fs::path replayed = run(true, "step_graphs_on"), queued = run(false, "step_graphs_off");
  CHECK(bytes_of(replayed / "last.safetensors") == bytes_of(queued / "last.safetensors"));
  CHECK(metrics_without_timing(replayed) == metrics_without_timing(queued));
  CHECK(read_metrics_csv(replayed / "metrics.csv").back().lr == 0.00025);
}

TEST_CASE("early stopping: a run stops, says why, and stays stopped when resumed") {
  TrainOptions o = tiny_options("early");
  o.epochs = 8;
  o.early_stopping = 2;
  const TrainResult result = train(o);
  const int stopped = result.best_epoch + 2;  // two epochs without a better one
  REQUIRE(stopped < 8);
  REQUIRE(result.epochs.size() == static_cast<std::size_t>(stopped));
  CHECK(result.epochs_trained == stopped);
  CHECK_THAT(result.stopped_early,
             Catch::Contains("than epoch " + std::to_string(result.best_epoch) + "'s in 2 epochs"));
  CHECK(result.epochs.back().stop == result.stopped_early);
  CHECK(read_metrics_csv(o.out / "metrics.csv").back().stop == result.stopped_early);
  CHECK(options_of(o.out / "last.safetensors").at("early_stopping") == 2);

  const std::size_t last = bytes_of(o.out / "last.safetensors");
  TrainOptions again;
  again.resume = o.out;
  again.epochs = 10;  // more epochs do not restart it
  const TrainResult resumed = train(again);
  CHECK(resumed.epochs_trained == 0);
  CHECK(resumed.stopped_early == result.stopped_early);
  CHECK(bytes_of(o.out / "last.safetensors") == last);

  // Resumed before it stopped, it stops where the whole run did, with the same files.
  TrainOptions first = tiny_options("early_resumed");
  first.epochs = stopped - 1;
  first.early_stopping = 2;
  CHECK(train(first).stopped_early.empty());
  CHECK(resume_run(first.out, 8).stopped_early == result.stopped_early);
  CHECK(bytes_of(first.out / "last.safetensors") == last);
  CHECK(bytes_of(first.out / "best.safetensors") == bytes_of(o.out / "best.safetensors"));
  CHECK(metrics_without_timing(first.out) == metrics_without_timing(o.out));
}

TEST_CASE("recipe: a resumed run with a schedule, balanced and augmented batches ends the same") {
  auto recipe = [](const std::string& name, int epochs) {
    TrainOptions o = tiny_options(name);
    o.epochs = epochs;
    o.lr_schedule = {.kind = LrScheduleKind::plateau, .gamma = 0.5, .plateau_patience = 0};
    o.balance = Balance::sampling;
    o.weight_decay = 0.25;
    o.augment = data::parse_online_augment("noise,flip,gamma");
    o.recipe = RecipeKind::augmented;  // the name is recorded beside the settings
    return o;
  };
  const TrainOptions whole = recipe("recipe_whole", 4);
  const TrainResult all = train(whole);
  std::set<double> lrs;
  for (const EpochRecord& r : all.epochs) lrs.insert(r.lr);
  CHECK(lrs.size() > 1);  // the plateau schedule did lower the lr
  const auto options = options_of(whole.out / "last.safetensors");
  CHECK(options.at("lr_schedule") == "plateau");
  CHECK(options.at("balance") == "sampling");
  CHECK(options.at("plateau_patience") == 0);
  CHECK(options.at("weight_decay") == "0x1p-2");  // exact(): a hex float
  CHECK(options.at("augment") == "flip,gamma,noise");
  CHECK(options.at("recipe") == "augmented");

  SECTION("after epoch 2") {
    TrainOptions first = recipe("recipe_resumed", 2);
    train(first);
    resume_run(first.out, 4);
    check_same_run(first.out, whole.out);
    CHECK(bytes_of(first.out / "best.safetensors") == bytes_of(whole.out / "best.safetensors"));
  }
  SECTION("mid-epoch, after the first batch of epoch 3") {
    const TrainOptions first = recipe("recipe_mid_epoch", 4);
    int batches = 0;
    TrainCallbacks stop_once;
    // Polled after each of an epoch's 3 batches and after the epoch: the 9th is epoch 3's first.
    stop_once.stop_requested = [&] { return ++batches == 9; };
    REQUIRE(train(first, stop_once).interrupted);
    resume_run(first.out, 0);
    check_same_run(first.out, whole.out);
  }
}

TEST_CASE("recipe: the seed's recipe is the options' defaults; the augmented one differs") {
  const TrainOptions defaults, seed = recipe_options(RecipeKind::seed);
  CHECK(seed.recipe == RecipeKind::seed);
  CHECK(seed.epochs == defaults.epochs);
  CHECK(seed.lr == defaults.lr);
  CHECK(seed.weight_decay == 0);
  CHECK_FALSE(seed.augment.enabled());
  CHECK(seed.lr_schedule.kind == LrScheduleKind::constant);
  const TrainOptions augmented = recipe_options(RecipeKind::augmented);
  CHECK(augmented.recipe == RecipeKind::augmented);
  CHECK(data::to_string(augmented.augment) == "flip,rotate,shift,bias,noise");
  CHECK(augmented.weight_decay == 0.01);
  CHECK(augmented.epochs == defaults.epochs);
}

TEST_CASE("recipe: a default run records none of the settings, and damaged ones are refused") {
  TrainOptions plain = tiny_options("recipe_default");
  plain.epochs = 1;
  train(plain);
  const auto options = options_of(plain.out / "last.safetensors");
  for (const char* key :
       {"lr_schedule", "lr_min", "lr_gamma", "early_stopping", "balance", "weight_decay", "recipe"})
    CHECK_FALSE(options.contains(key));
  CHECK_FALSE(read_safetensors((plain.out / "last.safetensors").string())
                  .metadata.contains("plateau_reductions"));
  CHECK(options.at("augment") == false);                  // as before the MRI transforms existed
  TrainOptions decayed = tiny_options("recipe_decayed");  // the trainer hands λ to AdamW
  decayed.epochs = 1;
  decayed.weight_decay = 0.25;
  train(decayed);
  CHECK(bytes_of(decayed.out / "best.safetensors") != bytes_of(plain.out / "best.safetensors"));

  TrainOptions o = tiny_options("recipe_damaged");
  o.epochs = 1;
  o.lr_schedule = {.kind = LrScheduleKind::plateau};
  train(o);
  const fs::path last = o.out / "last.safetensors";
  const Safetensors saved = read_safetensors(last.string());
  struct Damage {
    std::string key, from, to, named;
  };
  const std::vector<Damage> damages = {
      {"options", "\"plateau\"", "\"sometimes\"", "options.lr_schedule"},
      {"options", "\"lr_gamma\":\"", "\"lr_gamma\":\"0x1p+1", "options.lr_gamma"},
      {"options", "\"plateau_patience\":10", "\"plateau_patience\":-1", "options.plateau_patience"},
      {"options", "\"lr_step_epochs\":5", "\"lr_step_epochs\":0", "options.lr_step_epochs"},
      {"options", "\"batch\"", "\"balance\":\"all\",\"batch\"", "options.balance"},
      {"options", "\"batch\"", "\"early_stopping\":0,\"batch\"", "options.early_stopping"},
      {"options", "\"augment\":false", "\"augment\":\"blur\"", "options.augment"},
      {"options", "\"batch\"", "\"recipe\":\"fast\",\"batch\"", "options.recipe"},
      {"plateau_reductions", "0", "x", "plateau_reductions"},
  };
  for (const Damage& d : damages) {
    INFO(d.key << ": " << d.from << " -> " << d.to);
    Safetensors st = saved;
    std::string& value = st.metadata.at(d.key);
    const std::size_t at = value.find(d.from);
    REQUIRE(at != std::string::npos);
    value.replace(at, d.from.size(), d.to);
    write_safetensors(last.string(), st.tensors, st.metadata);
    CHECK_THROWS_WITH(resume_run(o.out, 0),
                      Catch::Contains("last.safetensors") && Catch::Contains("'" + d.named + "'"));
  }
}
