// `train --classes all`: a K-class model of the cache's classes, its checkpoints' class names and
// settings, resume, the emulator against the CPU, and the binary task's files unchanged.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "data/dataset_cache.h"
#include "engine/safetensors.h"
#include "model/cache_classes.h"
#include "model/checkpoint_classes.h"
#include "model/trainer.h"
#include "tests/train/tiny_run.h"

using namespace braincam;
using namespace braincam::test;
namespace fs = std::filesystem;

namespace {

TrainOptions class_options(const std::string& run) {
  TrainOptions o = tiny_options(run);
  o.classes = ClassTask::all;
  return o;
}

}  // namespace

TEST_CASE("cache classes: the manifest's names in byte order, notumor the no-tumor class") {
  const data::DatasetCache cache = data::DatasetCache::open(tiny_cache());
  const ClassNames classes = cache_class_names(cache, "cache");
  CHECK(classes.names == std::vector<std::string>{"notumor", "yes"});
  CHECK(classes.no_tumor == "notumor");
  const std::vector<int> indices = cache_class_indices(cache, classes);
  for (std::size_t i = 0; i < cache.size(); ++i) CHECK(indices[i] == cache.label(i));
  CHECK_NOTHROW(require_same_classes(classes, "a", classes, "b"));
  CHECK_THROWS_WITH(
      require_same_classes({{"yes", "notumor"}, ""}, "run/best.safetensors", classes, "cache"),
      Catch::Contains("run/best.safetensors") && Catch::Contains("cache") &&
          Catch::Contains(R"(["notumor","yes"])"));
}

TEST_CASE("trainer: --classes all trains a K-class model that names its classes, no threshold") {
  const TrainOptions o = class_options("classes_all");
  const TrainResult result = train(o);
  REQUIRE(result.epochs.size() == 3);
  CHECK_FALSE(result.threshold);
  CHECK(result.classes.names == std::vector<std::string>{"notumor", "yes"});
  for (const char* file : {"best.safetensors", "last.safetensors"}) {
    const Safetensors st = read_safetensors((o.out / file).string());
    CHECK(fc_classes(st.tensors, file) == 2);
    CHECK(read_class_names(st.metadata, 2, file).names == result.classes.names);
    CHECK(st.metadata.at("no_tumor_class") == "notumor");
    CHECK(nlohmann::json::parse(st.metadata.at("options")).at("classes") == "all");
    CHECK(st.metadata.count("threshold") == 0);
  }
  for (const EpochRecord& r : result.epochs) {
    CHECK(std::isfinite(r.train_loss));
    CHECK(r.val_accuracy >= 0);
    CHECK(r.val_accuracy <= 1);
  }
  // The binary task's options do not name the classes.
  TrainOptions binary = tiny_options("classes_binary");
  binary.epochs = 1;
  train(binary);
  const auto meta = read_safetensors((binary.out / "last.safetensors").string()).metadata;
  CHECK_FALSE(nlohmann::json::parse(meta.at("options")).contains("classes"));
  CHECK(meta.count("classes") == 0);
}

TEST_CASE(
    "trainer: a K-class run resumed after an epoch ends identical to one that never stopped") {
  const TrainOptions whole = class_options("classes_whole");
  train(whole);
  TrainOptions first = class_options("classes_resumed");
  first.epochs = 1;
  train(first);
  resume_run(first.out, 3);
  check_same_run(first.out, whole.out);
  CHECK(bytes_of(first.out / "best.safetensors") == bytes_of(whole.out / "best.safetensors"));
}

TEST_CASE("trainer: a K-class run on the emulator follows the CPU") {
  auto run = [](Device device, const std::string& name) {
    TrainOptions o = class_options(name);
    o.epochs = 2;
    o.batch = 4;
    o.max_train_images = 6;  // a full batch and a partial one, each recorded and replayed
    o.device = device;
    return train(o).epochs;
  };
  const std::vector<EpochRecord> cpu = run(Device::CPU, "classes_cpu"),
                                 emulator = run(Device::Emulator, "classes_emu");
  REQUIRE(emulator.size() == cpu.size());
  for (std::size_t e = 0; e < cpu.size(); ++e) {
    CHECK(emulator[e].train_loss == Approx(cpu[e].train_loss).epsilon(1e-4));
    CHECK(emulator[e].val_loss == Approx(cpu[e].val_loss).epsilon(1e-4));
    CHECK(emulator[e].train_accuracy == cpu[e].train_accuracy);
  }
}

TEST_CASE("trainer: balanced sampling is the binary task's, refused with --classes all") {
  TrainOptions o = class_options("classes_balanced");
  o.balance = Balance::sampling;
  CHECK_THROWS_WITH(train(o), Catch::Contains("--classes all"));
}
