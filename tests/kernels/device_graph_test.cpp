// DeviceGraph: device work recorded once and replayed, on the emulator and (with a GPU) as a CUDA
// graph. Recording must not run the work; a replay must run it on the values the recorded
// tensors hold at that time; what a graph cannot hold must be refused.
#include "engine/device_graph.h"

#include <catch2/catch.hpp>
#include <optional>
#include <stdexcept>

#include "engine/device_memory.h"
#include "engine/ops.h"
#include "engine/readback.h"
#include "engine/tensor_math.h"
#include "model/brain_detection_model.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

template <class Set>
void check_record_and_replay() {
  const Device device = device_of<Set>();
  Tensor x = on_device<Set>(std::vector<float>{-1, 2, -3, 4});
  Tensor counter = on_device<Set>(std::vector<float>{0, 0, 0, 0});
  Tensor y;  // relu(x) + counter, allocated while recording
  const DeviceGraph graph(device, [&] {
    Tensor r = relu(Var(x)).value();  // a kernel into memory allocated while recording
    add_inplace(r, counter);          // a kernel on memory from before
    y = r.rows(1, 3);                 // a device copy
    Tensor one = Tensor::full({4}, 1.0, DType::F32, device);  // a fill
    add_inplace(counter, one);
  });
  // Nothing ran while recording.
  CHECK(on_host<Set, float>(counter) == std::vector<float>{0, 0, 0, 0});

  graph.replay();
  CHECK(on_host<Set, float>(y) == std::vector<float>{2, 0, 4});
  CHECK(on_host<Set, float>(counter) == std::vector<float>{1, 1, 1, 1});

  // A replay reads what the tensors hold then.
  x.copy_from(on_device<Set>(std::vector<float>{5, 6, 7, 8}));
  graph.replay();
  graph.replay();
  CHECK(on_host<Set, float>(y) == std::vector<float>{8, 9, 10});
  CHECK(on_host<Set, float>(counter) == std::vector<float>{3, 3, 3, 3});
}

// A chain of temporaries: each step's tensor reads the one before, which then dies. The graph
// gives the memory of a dead tensor to the next allocation of its size, so it holds two tensors'
// memory, not one per step, and the replays still read and write them in the recorded order.
template <class Set>
void check_memory_reuse() {
  const Device device = device_of<Set>();
  Tensor x = on_device<Set>(std::vector<float>{1, 2, 3, 4});
  Tensor y;
  NoGradScope no_grad;
  const DeviceGraph graph(device, [&] {
    Tensor t = x;
    for (int i = 0; i < 8; ++i) {
      Tensor doubled = relu(Var(t)).value();  // t, then t + t: 2t
      add_inplace(doubled, t);
      t = doubled;
    }
    y = t;
  });
  CHECK(graph.bytes_held() == 2 * 4 * sizeof(float));
  graph.replay();
  CHECK(on_host<Set, float>(y) == std::vector<float>{256, 512, 768, 1024});
  x.copy_from(on_device<Set>(std::vector<float>{4, 3, 2, 1}));
  graph.replay();
  CHECK(on_host<Set, float>(y) == std::vector<float>{1024, 768, 512, 256});
}

template <class Set>
void check_refusals() {
  const Device device = device_of<Set>();
  const Tensor x = on_device<Set>(std::vector<float>{1, 2});
  const Tensor host = Tensor::zeros({2}, DType::F32);
  CHECK_THROWS_WITH(DeviceGraph(device, [&] { (void)x.item(0); }),
                    Catch::Contains("not possible while recording a device graph"));
  CHECK_THROWS_AS(DeviceGraph(device, [&] { (void)host.to(device); }), std::logic_error);
  CHECK_THROWS_AS(DeviceGraph(device, [&] { DeviceGraph inner(device, [] {}); }), std::logic_error);
  CHECK_THROWS_AS(DeviceGraph(device, [&] { Readback r({x}); }), std::logic_error);
  CHECK_THROWS_AS(DeviceGraph(device, [&] { (void)x.to(DType::F64); }), std::logic_error);
  // A failed recording leaves nothing behind: the device works as before.
  const Tensor y = relu(Var(x)).value();
  CHECK(on_host<Set, float>(y) == std::vector<float>{1, 2});
  const DeviceGraph empty(device, [] {});
  CHECK_NOTHROW(empty.replay());
}

// The model's evaluation forward (what `braincam bench --mode infer` replays), recorded on one
// batch and replayed on another, against the forward run op by op on that batch: the same bits.
template <class Set>
void check_recorded_forward() {
  const Device device = device_of<Set>();
  BrainDetectionModel model({32, 32, 16, 8}, DType::F32, device);
  model.initialize(11);
  std::mt19937 rng(13);
  Tensor images = on_device<Set>(random_floats(2 * 3 * 32 * 32, rng, 0, 1)).reshape({2, 3, 32, 32});
  NoGradScope no_grad;
  Tensor logits;
  const DeviceGraph forward(
      device, [&] { logits = model.forward(Var(images), {.attention = true}).logits.value(); });
  images.copy_from(
      on_device<Set>(random_floats(2 * 3 * 32 * 32, rng, 0, 1)).reshape({2, 3, 32, 32}));
  forward.replay();
  const Tensor want = model.forward(Var(images), {.attention = true}).logits.value();
  require_identical(on_host<Set, float>(logits), on_host<Set, float>(want), "logits");
}

TEST_CASE(
    "device graph: the emulator records, replays on current values, reuses the memory "
    "of dead tensors, refuses host copies",
    "[device_graph][emulator]") {
  check_record_and_replay<cuda::Emulated>();
  check_memory_reuse<cuda::Emulated>();
  check_refusals<cuda::Emulated>();
  CHECK_THROWS_AS(DeviceGraph(Device::CPU, [] {}), std::invalid_argument);
  check_recorded_forward<cuda::Emulated>();
}

TEST_CASE(
    "device graph: a CUDA graph records, replays on current values, reuses the memory "
    "of dead tensors, refuses host copies",
    "[device_graph][gpu]") {
  on_gpu([]<class Set>() {
    check_record_and_replay<Set>();
    check_memory_reuse<Set>();
    check_refusals<Set>();
    // What would break a stream capture: a synchronization, an event on the captured stream.
    CHECK_THROWS_AS(DeviceGraph(Device::CUDA, [] { gpu::synchronize(); }), std::logic_error);
    CHECK_THROWS_AS(DeviceGraph(Device::CUDA, [] { gpu::QueuePoint point; }), std::logic_error);
    check_recorded_forward<Set>();
  });
}

}  // namespace
}  // namespace braincam::test
