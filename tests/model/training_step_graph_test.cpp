// Training steps replayed from recorded graphs (model/training_step_runner.h) against the same
// steps queued op by op, on the emulator and on the GPU: every step's loss and logits, and at the
// end every parameter, running statistic, batch count and Adam moment, bit for bit. Batches of 3,
// 3 and 1 images over four epochs, attention from the third: the batches of 3 are recorded on the
// second batch of epochs 1 and 3, the batch of 1 in epochs 2 and 4, and the graphs without
// attention are dropped when attention comes on; on both kernel paths, the fused one on cached
// patch moments. On the CPU, which has no graphs: the fused path's steps on cached patch moments
// against the same steps computing them from each batch.
#include <catch2/catch.hpp>
#include <map>
#include <numeric>

#include "base/random.h"
#include "engine/adam.h"
#include "model/brain_detection_model.h"
#include "model/image_set.h"
#include "model/training_step_runner.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

constexpr ModelShape kShape{32, 32, 16, 8};
constexpr std::size_t kImages = 7, kBatch = 3;

struct Run {
  std::vector<std::vector<double>> losses, logits;  // per step
  StateDict state;                                  // model and optimizer at the end
};

// cache: whether the set keeps its images' patch moments for the fused path. classes: the model's
// K (1: the binary model, F32 labels; above: I64 class labels).
Run train(Device device, KernelPath path, bool graphs, bool cache = true, AdamOptions adam = {},
          int classes = 1) {
  ModelShape shape = kShape;
  shape.classes = classes;
  BrainDetectionModel model(shape, DType::F32, device);
  model.initialize(3);
  model.set_kernel_path(path);
  Adam optimizer(model.parameters(), adam);
  std::mt19937 rng(29);
  Tensor pixels({static_cast<std::int64_t>(kImages), kShape.height, kShape.width, 3}, DType::U8);
  for (std::int64_t i = 0; i < pixels.numel(); ++i)
    pixels.data<std::uint8_t>()[i] = static_cast<std::uint8_t>(rng() >> 24);
  ImageSet set(pixels, device);
  if (path == KernelPath::Fast && cache) set.keep_patch_moments();
  CHECK(set.has_patch_moments() == (path == KernelPath::Fast && cache));
  TrainingStepRunner steps(model, optimizer, set, graphs);

  Run run;
  std::vector<StepResult> results;
  for (int epoch = 1; epoch <= 4; ++epoch) {
    std::vector<std::size_t> order(kImages);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<double> labels;
    for (std::size_t i : order) labels.push_back(static_cast<double>(i % std::max(classes, 2)));
    const TrainingStepRunner::EpochOrder epoch_order =
        steps.epoch_order(order,
                          Tensor::from_vector({static_cast<std::int64_t>(kImages)}, labels,
                                              classes == 1 ? DType::F32 : DType::I64),
                          epoch);
    for (std::size_t first = 0; first < kImages; first += kBatch) {
      const std::size_t n = std::min(kBatch, kImages - first);
      results.push_back(steps.step(epoch_order, first, n, epoch > 2));
    }
  }
  // Per batch size and attention setting: the first step op by op, the second recorded, all
  // later ones replayed; 4 settings of 12 steps. Those without attention are dropped.
  CHECK(steps.recordings() == (graphs ? 4 : 0));
  CHECK(steps.replays() == (graphs ? 8 : 0));
  CHECK(steps.graphs_held() == (graphs ? 2 : 0));
  // Read only now, as the trainer reads a step's results after later steps are queued: each
  // step's must be its own.
  for (const StepResult& r : results) {
    run.losses.push_back(r.loss.to_vector());
    run.logits.push_back(r.logits.to_vector());
  }
  run.state = model.state_dict();
  for (auto& [name, tensor] : optimizer.state_dict()) run.state[name] = tensor;
  return run;
}

void require_same(const Run& replayed, const Run& queued) {
  REQUIRE(replayed.losses.size() == queued.losses.size());
  for (std::size_t s = 0; s < queued.losses.size(); ++s) {
    INFO("step " << s + 1);
    CHECK(replayed.losses[s] == queued.losses[s]);
    CHECK(replayed.logits[s] == queued.logits[s]);
  }
  REQUIRE(replayed.state.size() == queued.state.size());
  for (const auto& [name, tensor] : queued.state) {
    INFO(name);
    CHECK(replayed.state.at(name).to_vector() == tensor.to_vector());
  }
}

void check_both_paths(Device device) {
  for (KernelPath path : {KernelPath::Reference, KernelPath::Fast}) {
    INFO((path == KernelPath::Fast ? "fused first layer" : "per-op kernels"));
    require_same(train(device, path, true), train(device, path, false));
  }
}

TEST_CASE("training step graph: the emulator's replays are the steps queued op by op, to the bit",
          "[training_step_graph][emulator]") {
  check_both_paths(Device::Emulator);
}

TEST_CASE("training step graph: a four-class model's replays are its steps queued op by op",
          "[training_step_graph][emulator]") {
  for (KernelPath path : {KernelPath::Reference, KernelPath::Fast}) {
    INFO((path == KernelPath::Fast ? "fused first layer" : "per-op kernels"));
    require_same(train(Device::Emulator, path, true, true, {}, 4),
                 train(Device::Emulator, path, false, true, {}, 4));
  }
}

TEST_CASE("training step graph: CUDA graph replays are the steps queued op by op, to the bit",
          "[training_step_graph][gpu]") {
  on_gpu([]<class>() { check_both_paths(Device::CUDA); });
}

TEST_CASE("training step graph: replays decay the weights as the steps queued op by op",
          "[training_step_graph][emulator]") {
  // The decay factor reaches a replay in the descriptors written before it, as the step size.
  const AdamOptions adamw{.weight_decay = 0.5};
  const Run replayed = train(Device::Emulator, KernelPath::Reference, true, true, adamw);
  require_same(replayed, train(Device::Emulator, KernelPath::Reference, false, true, adamw));
  const Run plain = train(Device::Emulator, KernelPath::Reference, true);
  CHECK(replayed.state.at("fc.weight").to_vector() != plain.state.at("fc.weight").to_vector());
}

TEST_CASE("training steps: cached patch moments give the CPU's steps to the bit",
          "[training_step_graph][cpu]") {
  require_same(train(Device::CPU, KernelPath::Fast, false, true),
               train(Device::CPU, KernelPath::Fast, false, false));
}

TEST_CASE("training step graph: recording needs Adam's moments, and a set on the model's device",
          "[training_step_graph][emulator]") {
  BrainDetectionModel model(kShape, DType::F32, Device::Emulator);
  model.initialize(3);
  Adam optimizer(model.parameters(), AdamOptions{});
  const Tensor pixels = Tensor::zeros({4, kShape.height, kShape.width, 3}, DType::U8);
  const ImageSet set(pixels, Device::Emulator);
  CHECK_THROWS_WITH(TrainingStepGraph(model, optimizer, set, 2, false),
                    Catch::Contains("take one step before recording"));
  CHECK(model.num_batches_tracked() == 0);
  const ImageSet cpu_set(pixels, Device::CPU);
  CHECK_THROWS_AS(TrainingStepGraph(model, optimizer, cpu_set, 2, false), std::invalid_argument);
}

}  // namespace
}  // namespace braincam::test
