// The trainer on a tiny synthetic dataset: determinism, resume (also mid-epoch), the schedule,
// a diverging loss, shuffled labels, the metrics, the decision threshold of best.safetensors,
// and the run folder's protection (damaged checkpoints, locks, an existing run).
// tests/train/crash_resume_test.py kills the command at every write.
#include "model/trainer.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "base/folder_lock.h"
#include "data/dataset_cache.h"
#include "data/prepare_dataset.h"
#include "data/preprocess.h"
#include "data/synth_dataset.h"
#include "engine/safetensors.h"
#include "model/checkpoint.h"
#include "model/checkpoint_threshold.h"
#include "model/image_set.h"
#include "model/metrics.h"
#include "model/predict.h"
#include "tests/train/tiny_run.h"

using namespace braincam;
using namespace braincam::test;
namespace fs = std::filesystem;

TEST_CASE("image set: batches are the dataset cache's, bit for bit, on the CPU and the emulator") {
  const data::DatasetCache cache = data::DatasetCache::open(tiny_cache());
  const std::vector<std::size_t> indices = {7, 2, 30};
  const std::vector<std::size_t> positions = {2, 0, 2};  // images 30, 7, 30
  std::vector<std::size_t> ids;
  for (std::size_t p : positions) ids.push_back(indices[p]);
  Tensor want({3, 3, data::kInputSize, data::kInputSize}, DType::F32);
  cache.fill_batch(ids, want.data<float>());
  for (Device device : {Device::CPU, Device::Emulator}) {
    INFO(device_name(device));
    const ImageSet set(cache_images(cache, indices), device);
    REQUIRE(set.size() == 3);
    const ImageSet::Batch batch = set.batch(positions);
    CHECK(batch.images.device() == device);
    const Tensor got = batch.images.to(Device::CPU);
    CHECK(std::memcmp(got.raw(), want.raw(), want.bytes()) == 0);
    CHECK(batch.index.to_vector() == std::vector<double>{2, 0, 2});
    // A slice of an order held on the device: its last two images.
    const ImageSet::Batch slice = set.batch(set.order(positions), 1, 2);
    const Tensor got_slice = slice.images.to(Device::CPU), want_slice = want.rows(1, 2);
    CHECK(std::memcmp(got_slice.raw(), want_slice.raw(), want_slice.bytes()) == 0);
    CHECK(slice.index.to_vector() == std::vector<double>{0, 2});
    CHECK_FALSE(batch.patch_moments().has_value());
    CHECK_THROWS_AS(set.batch(std::vector<std::size_t>{3}), std::out_of_range);
  }
  CHECK_THROWS_AS(cache_images(cache, std::vector<std::size_t>{cache.size()}), std::out_of_range);
}

// The trainer on the emulator takes the device path: images held there, batches gathered there,
// the fused first layer on cached patch moments. It follows the CPU to float32 rounding.
TEST_CASE("trainer: on the emulator with cached patch moments it follows the CPU") {
  auto run = [](Device device, const std::string& name) {
    TrainOptions o = tiny_options(name);
    o.epochs = 2;
    o.batch = 4;
    o.max_train_images = 4;  // one batch per epoch
    o.device = device;
    return train(o).epochs;
  };
  const std::vector<EpochRecord> cpu = run(Device::CPU, "cpu"),
                                 emulator = run(Device::Emulator, "emu");
  REQUIRE(emulator.size() == cpu.size());
  for (std::size_t e = 0; e < cpu.size(); ++e) {
    CHECK(emulator[e].train_loss == Approx(cpu[e].train_loss).epsilon(1e-4));
    CHECK(emulator[e].val_loss == Approx(cpu[e].val_loss).epsilon(1e-4));
    CHECK(emulator[e].train_accuracy == cpu[e].train_accuracy);
  }
}

// The trainer replays its steps from recorded graphs on the emulator
// (model/training_step_runner.h): the checkpoints must be those of steps queued op by op, to the
// bit. Batches of 2 and 1 images; the second epoch records and replays both sizes.
// (tests/model/training_step_graph_test.cpp checks the graphs across attention settings, on both
// kernel paths.)
TEST_CASE(
    "trainer: on the emulator, steps replayed from graphs give the checkpoints of steps op by op") {
  auto run = [](bool graphs, const std::string& name) {
    TrainOptions o = tiny_options(name);
    o.epochs = 2;
    o.warmup_epochs = 2;
    o.batch = 2;
    o.max_train_images = 3;
    o.device = Device::Emulator;
    o.graphs = graphs;
    train(o);
    return o.out;
  };
  const fs::path replayed = run(true, "graphs_on"), queued = run(false, "graphs_off");
  CHECK(bytes_of(replayed / "last.safetensors") == bytes_of(queued / "last.safetensors"));
  CHECK(bytes_of(replayed / "best.safetensors") == bytes_of(queued / "best.safetensors"));
  CHECK(metrics_without_timing(replayed) == metrics_without_timing(queued));
}

TEST_CASE("trainer: attention is off in the warm-up epochs and on after") {
  TrainOptions o;
  o.warmup_epochs = 2;
  CHECK_FALSE(attention_in_epoch(o, 1));
  CHECK_FALSE(attention_in_epoch(o, 2));
  CHECK(attention_in_epoch(o, 3));
  o.attention = false;
  CHECK_FALSE(attention_in_epoch(o, 3));
}

TEST_CASE("trainer: the same seed gives the same checkpoints bit for bit") {
  const TrainOptions a = tiny_options("same_a"), b = tiny_options("same_b");
  const TrainResult ra = train(a), rb = train(b);
  REQUIRE(ra.epochs.size() == 3);
  CHECK(ra.best_epoch == rb.best_epoch);
  CHECK(bytes_of(a.out / "best.safetensors") == bytes_of(b.out / "best.safetensors"));
  check_same_run(a.out, b.out);
  CHECK(metrics_without_timing(a.out).size() == 4);  // header and three epochs
}

TEST_CASE(
    "trainer: a run resumed after an epoch, or mid-epoch, ends identical to one that never "
    "stopped") {
  const TrainOptions whole = tiny_options("whole");
  train(whole);

  SECTION("stopped after epoch 1") {
    TrainOptions first = tiny_options("resumed_epoch");
    first.epochs = 1;
    train(first);
    TrainOptions rest;
    rest.cache = tiny_cache();
    rest.resume = first.out;
    rest.epochs = 3;
    train(rest);
    check_same_run(first.out, whole.out);
    CHECK(bytes_of(first.out / "best.safetensors") == bytes_of(whole.out / "best.safetensors"));
  }
  SECTION("stopped (as by Ctrl-C) after the first batch of epoch 2") {
    const TrainOptions first = tiny_options("resumed_mid_epoch");
    int batches = 0;
    TrainCallbacks stop_once;
    stop_once.stop_requested = [&] { return ++batches == 4; };  // epoch 1 has 3 batches
    const TrainResult stopped = train(first, stop_once);
    REQUIRE(stopped.interrupted);
    REQUIRE(stopped.epochs.size() == 1);
    // The run's own cache and number of epochs.
    const TrainResult resumed = resume_run(first.out, 0);
    CHECK_FALSE(resumed.interrupted);
    check_same_run(first.out, whole.out);
  }
}

TEST_CASE("trainer: a run stopped in its first epoch, or killed between its writes, resumes") {
  const TrainOptions whole = tiny_options("whole_for_repair");
  train(whole);
  TrainOptions rest;
  rest.resume = tiny_cache().parent_path() / "repaired";
  rest.epochs = 3;

  SECTION("stopped after the first batch: no metrics.csv yet") {
    TrainOptions first = tiny_options("repaired");
    TrainCallbacks stop_at_once;
    stop_at_once.stop_requested = [] { return true; };
    REQUIRE(train(first, stop_at_once).interrupted);
    REQUIRE_FALSE(fs::exists(first.out / "metrics.csv"));
  }
  SECTION("killed after metrics.csv got epoch 2's row, before the checkpoint did") {
    TrainOptions first = tiny_options("repaired");
    first.epochs = 1;
    train(first);
    fs::copy_file(whole.out / "metrics.csv", first.out / "metrics.csv",
                  fs::copy_options::overwrite_existing);
    std::ofstream(first.out / ".last.safetensors.tmp999999999") << "a killed run's";
  }
  train(rest);
  CHECK(bytes_of(rest.resume / "last.safetensors") == bytes_of(whole.out / "last.safetensors"));
  CHECK(bytes_of(rest.resume / "best.safetensors") == bytes_of(whole.out / "best.safetensors"));
  CHECK(metrics_without_timing(rest.resume) == metrics_without_timing(whole.out));
  CHECK_FALSE(fs::exists(rest.resume / ".last.safetensors.tmp999999999"));
}

namespace {

// Rewrites RUN/last.safetensors with one metadata key changed or one value of a tensor.
void damage_checkpoint(const fs::path& run, const std::string& key, const std::string& value) {
  const fs::path last = run / "last.safetensors";
  Safetensors st = read_safetensors(last.string());
  if (st.tensors.count(key))
    st.tensors.at(key).data<float>()[0] = std::stof(value);
  else
    st.metadata[key] = value;
  write_safetensors(last.string(), st.tensors, st.metadata);
}

}  // namespace

TEST_CASE("trainer: a fold run validates on its fold, records it, and resumes with it") {
  TrainOptions whole = tiny_options("fold_whole");
  whole.epochs = 2;
  whole.fold = {.index = 2, .count = 3};
  const TrainResult result = train(whole);
  REQUIRE(result.epochs.size() == 2);
  const auto options = nlohmann::json::parse(
      read_safetensors((whole.out / "best.safetensors").string()).metadata.at("options"));
  CHECK(options.at("fold") == 2);
  CHECK(options.at("folds") == 3);
  // Not the cache's own validation split: another validation loss.
  TrainOptions plain = tiny_options("fold_plain");
  plain.epochs = 1;
  CHECK(train(plain).epochs[0].val_loss != result.epochs[0].val_loss);

  TrainOptions first = tiny_options("fold_resumed");
  first.epochs = 1;
  first.fold = whole.fold;
  train(first);
  resume_run(first.out, 2);
  check_same_run(first.out, whole.out);
}

TEST_CASE("trainer: a run on shuffled labels records it, and resumes with it") {
  TrainOptions whole = tiny_options("shuffled_whole");
  whole.epochs = 2;
  whole.shuffle_labels = true;
  const TrainResult result = train(whole);
  REQUIRE(result.epochs.size() == 2);
  const auto meta = read_safetensors((whole.out / "last.safetensors").string()).metadata;
  CHECK(nlohmann::json::parse(meta.at("options")).at("shuffle_labels") == true);
  CHECK(trained_on_shuffled_labels(meta));
  // Other labels: another training loss from the same initialization and batches.
  TrainOptions plain = tiny_options("shuffled_plain");
  plain.epochs = 1;
  train(plain);
  CHECK(metrics_without_timing(plain.out)[1] != metrics_without_timing(whole.out)[1]);
  CHECK_FALSE(trained_on_shuffled_labels(
      read_safetensors((plain.out / "last.safetensors").string()).metadata));

  TrainOptions first = tiny_options("shuffled_resumed");
  first.epochs = 1;
  first.shuffle_labels = true;
  train(first);
  resume_run(first.out, 2);
  check_same_run(first.out, whole.out);
}

TEST_CASE("trainer: re-estimated batchnorm statistics change validation, not the weights") {
  TrainOptions running = tiny_options("bn_running");
  running.epochs = 2;
  train(running);
  TrainOptions reestimated = tiny_options("bn_reestimated");
  reestimated.epochs = 2;
  reestimated.batchnorm_statistics = BatchNormStatistics::reestimated;
  train(reestimated);
  const Safetensors a = read_safetensors((running.out / "last.safetensors").string());
  const Safetensors b = read_safetensors((reestimated.out / "last.safetensors").string());
  CHECK(nlohmann::json::parse(b.metadata.at("options")).at("bn_statistics") == "reestimated");
  CHECK_FALSE(nlohmann::json::parse(a.metadata.at("options")).contains("bn_statistics"));
  // Training uses each batch's own statistics: the same weights and Adam state to the bit.
  for (const char* name : {"conv1.weight", "bn1.weight", "fc.weight", "optim.exp_avg.fc.weight"})
    CHECK(a.tensors.at(name).to_vector() == b.tensors.at(name).to_vector());
  CHECK(a.tensors.at("bn1.running_mean").to_vector() !=
        b.tensors.at("bn1.running_mean").to_vector());
  // ... and validation, which runs on the running statistics, sees other ones.
  CHECK(metrics_without_timing(running.out)[1].substr(0, 20) ==
        metrics_without_timing(reestimated.out)[1].substr(0, 20));  // epoch, train loss alike
  CHECK(metrics_without_timing(running.out) != metrics_without_timing(reestimated.out));
}

TEST_CASE("trainer: best.safetensors carries the threshold picked on validation, or 0.5") {
  TrainOptions o = tiny_options("threshold_validation");
  o.epochs = 2;
  const TrainResult result = train(o);
  REQUIRE(result.threshold);
  const fs::path best = o.out / "best.safetensors";
  // The best weights' probabilities on the validation split give the threshold.
  BrainDetectionModel model({}, DType::F32, Device::CPU);
  const CheckpointMetadata meta = load_checkpoint(best, model);
  const data::DatasetCache cache = data::DatasetCache::open(o.cache);
  const std::vector<std::size_t> val = cache.indices(data::Split::val);
  std::vector<int> labels;
  for (std::size_t i : val) labels.push_back(cache.label(i));
  const ThresholdPick want = pick_decision_threshold(
      predict_probabilities(model, cache, val, meta.at("attention") == "on"), labels);
  CHECK(stored_threshold(meta, best) == want.threshold);
  CHECK(result.threshold->threshold == want.threshold);
  CHECK(meta.at("threshold_rule") == "validation");
  CHECK(meta.at("threshold_why") == want.why);
  CHECK_FALSE(
      read_safetensors((o.out / "last.safetensors").string()).metadata.contains("threshold"));

  TrainOptions fixed = tiny_options("threshold_fixed");
  fixed.epochs = 2;
  fixed.threshold = ThresholdRule::fixed;
  train(fixed);
  const Safetensors fixed_best = read_safetensors((fixed.out / "best.safetensors").string());
  CHECK(stored_threshold(fixed_best.metadata, best) == 0.5);
  CHECK(fixed_best.metadata.at("threshold_rule") == "fixed");
  // Only the metadata differ.
  const Safetensors validation_best = read_safetensors(best.string());
  for (const auto& [name, tensor] : validation_best.tensors)
    CHECK(std::memcmp(tensor.raw(), fixed_best.tensors.at(name).raw(), tensor.bytes()) == 0);
}

TEST_CASE("checkpoint threshold: none stored means none; a damaged one is refused") {
  CHECK_FALSE(stored_threshold({{"epoch", "1"}}, "old.safetensors"));
  CHECK(stored_threshold({{"threshold", "0.25"}}, "a.safetensors") == 0.25);
  for (const std::string bad : {"", "abc", "0.5x", "nan", "-0.1", "1.5", "inf"})
    CHECK_THROWS_WITH(
        stored_threshold({{"threshold", bad}}, "a.safetensors"),
        Catch::Matchers::Contains("a.safetensors") && Catch::Matchers::Contains("'threshold'"));
}

TEST_CASE("trainer: resuming refuses a checkpoint with damaged settings or weights") {
  TrainOptions first = tiny_options("damaged");
  first.epochs = 1;
  train(first);
  const fs::path saved = tiny_cache().parent_path() / "damaged.safetensors";
  fs::copy_file(first.out / "last.safetensors", saved, fs::copy_options::overwrite_existing);
  const std::string options = read_safetensors(saved.string()).metadata.at("options");
  auto with_option = [&](const std::string& from, const std::string& to) {
    std::string o = options;
    const std::size_t at = o.find(from);
    REQUIRE(at != std::string::npos);
    return o.replace(at, from.size(), to);
  };
  struct Damage {
    std::string key, value, named;  // named: what the error must name
  };
  const std::vector<Damage> damages = {
      {"options", with_option("\"batch\":8", "\"batch\":0"), "options.batch"},
      {"options", with_option("\"batch\":8", "\"batch\":-8"), "options.batch"},
      {"epochs", "0", "epochs"},
      {"options", with_option("\"batch\":8", "\"batch\":8.5"), "options.batch"},
      {"options", with_option("\"attention\":true", "\"attention\":\"maybe\""),
       "options.attention"},
      {"options", with_option("\"lr\":\"", "\"lr\":\"nan"), "options.lr"},
      {"options", with_option("\"lr\":\"", "\"lr\":\"-"), "options.lr"},
      {"options", "{", "options"},
      {"options", with_option("\"batch\"", "\"fold\":4,\"folds\":3,\"batch\""), "options.fold"},
      {"options", with_option("\"batch\"", "\"folds\":3,\"batch\""), "options.fold"},
      {"epoch", "abc", "epoch"},
      {"epoch", "1x", "epoch"},
      {"partial_correct", "99999999999999999999999", "partial_correct"},
      {"best_val_loss", "inf", "best_val_loss"},
      {"attention", "maybe", "attention"},
      {"conv1.weight", "nan", "conv1.weight"},
  };
  for (const Damage& d : damages) {
    INFO(d.key << " = " << d.value);
    fs::copy_file(saved, first.out / "last.safetensors", fs::copy_options::overwrite_existing);
    damage_checkpoint(first.out, d.key, d.value);
    CHECK_THROWS_WITH(resume_run(first.out, 0), Catch::Matchers::Contains("last.safetensors") &&
                                                    Catch::Matchers::Contains("'" + d.named + "'"));
  }
  // Evaluation refuses NaN weights too.
  BrainDetectionModel model({}, DType::F32, Device::CPU);
  CHECK_THROWS_WITH(
      load_checkpoint(first.out / "last.safetensors", model),
      Catch::Matchers::Contains("'conv1.weight'") && Catch::Matchers::Contains("NaN"));
}

TEST_CASE("trainer: a run folder is locked, and an existing run is kept unless overwritten") {
  TrainOptions o = tiny_options("protected");
  o.epochs = 1;
  {
    const FolderLock held(o.out, "a test");
    CHECK_THROWS_WITH(train(o), Catch::Matchers::Contains("in use by another braincam train"));
    TrainOptions resume;
    resume.resume = o.out;
    CHECK_THROWS_WITH(train(resume), Catch::Matchers::Contains("not found"));
  }
  train(o);
  const std::size_t first_run = bytes_of(o.out / "last.safetensors");
  o.seed = 18;
  CHECK_THROWS_WITH(train(o), Catch::Matchers::Contains("already holds a run") &&
                                  Catch::Matchers::Contains("--overwrite"));
  CHECK(bytes_of(o.out / "last.safetensors") == first_run);
  std::ofstream(o.out / "stray.txt") << "removed by --overwrite";
  o.overwrite = true;
  train(o);
  CHECK(bytes_of(o.out / "last.safetensors") != first_run);
  CHECK_FALSE(fs::exists(o.out / "stray.txt"));
}

TEST_CASE("prepare: a cache folder is locked while it is written") {
  const fs::path cache = tiny_cache().parent_path() / "locked_cache";
  const FolderLock held(cache, "a test");
  CHECK_THROWS_WITH(
      data::prepare_dataset({.data_dir = tiny_cache().parent_path() / "synth", .cache_dir = cache}),
      Catch::Matchers::Contains("in use by another braincam prepare"));
}

TEST_CASE("trainer: a diverging loss stops training with a clear error") {
  TrainOptions o = tiny_options("diverging");
  o.lr = 1e35;  // the first Adam step throws the weights to +-1e35: the next loss overflows
  CHECK_THROWS_WITH(train(o), Catch::Matchers::Contains("training stopped: the loss is") &&
                                  Catch::Matchers::Contains("epoch 1, batch 2"));
  CHECK_FALSE(
      fs::exists(o.out / "best.safetensors"));  // no epoch completed: nothing claims to be good
}

TEST_CASE("trainer: resuming refuses another dataset and damaged run folders") {
  TrainOptions o;
  o.cache = tiny_cache();
  o.resume = tiny_cache().parent_path() / "no_such_run";
  CHECK_THROWS_WITH(train(o), Catch::Matchers::Contains("last.safetensors"));
}

TEST_CASE("metrics: confusion, ratios and ROC AUC with ties") {
  const std::vector<double> p{0.9, 0.8, 0.7, 0.4, 0.7, 0.2, 0.1, 0.6};
  const std::vector<int> y{1, 1, 0, 1, 1, 0, 0, 0};
  const ClassificationMetrics m = classification_metrics(p, y);
  CHECK(m.confusion.tp == 3);
  CHECK(m.confusion.fp == 2);
  CHECK(m.confusion.tn == 2);
  CHECK(m.confusion.fn == 1);
  CHECK(m.accuracy == Approx(5.0 / 8));
  CHECK(m.precision == Approx(3.0 / 5));
  CHECK(m.recall == Approx(3.0 / 4));
  CHECK(m.specificity == Approx(2.0 / 4));
  CHECK(m.f1 == Approx(2 * 0.6 * 0.75 / 1.35));
  // Pairs (positive, negative) ranked correctly: 13.5 of 16 (the 0.7/0.7 tie counts one half).
  CHECK(m.roc_auc == Approx(13.5 / 16));
  CHECK(m.correct_yes == 3);
  CHECK(m.wrong_no == 2);
  CHECK(std::isnan(classification_metrics({0.3, 0.6}, {1, 1}).roc_auc));
}
