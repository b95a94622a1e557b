// RecordedCam: the evaluation forward and the CAM reduction recorded once and replayed for each
// batch, on the emulator and (with a GPU) as a CUDA graph. Each batch's maps and logits must be
// the bits of explain() run op by op on that batch, for both targets; a batch of another shape,
// or on another device, is refused.
#include "model/recorded_cam.h"

#include <catch2/catch.hpp>
#include <random>
#include <stdexcept>
#include <vector>

#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

// An Explanation's tensors are float64 on the host.
std::vector<double> values(const Tensor& t) {
  return {t.data<double>(), t.data<double>() + t.numel()};
}

void require_same_explanation(const Explanation& got, const Explanation& want) {
  require_identical(values(got.maps), values(want.maps), "maps");
  require_identical(values(got.logits), values(want.logits), "logits");
}

template <class Set>
void check_recorded_cam() {
  const Device device = device_of<Set>();
  BrainDetectionModel model({32, 32, 16, 8}, DType::F32, device);
  model.initialize(5);
  std::mt19937 rng(17);
  auto batch = [&](int n) {
    return on_device<Set>(random_floats(n * 3 * 32 * 32, rng, 0, 1)).reshape({n, 3, 32, 32});
  };
  for (const bool attention : {true, false}) {
    INFO("attention " << attention);
    RecordedCam cam(model, {2, 3, 32, 32}, attention);
    for (int i = 0; i < 3; ++i) {
      const Tensor images = batch(2);
      const bool tumor = i != 1;
      const Explanation got = cam.explain(images, tumor);
      const Explanation want = explain(model, images, CamMethod::Cam, attention, tumor);
      REQUIRE(got.maps.shape() == Shape{2, 2, 2});
      require_same_explanation(got, want);
    }
    CHECK_THROWS_AS(cam.explain(batch(1)), std::invalid_argument);
    CHECK_THROWS_AS(cam.explain(batch(2).to(Device::CPU)), std::invalid_argument);
  }
}

TEST_CASE("recorded CAM: the emulator's replays give explain()'s maps and logits, to the bit",
          "[recorded_cam][emulator]") {
  check_recorded_cam<cuda::Emulated>();
}

TEST_CASE("recorded CAM: CUDA graph replays give explain()'s maps and logits, to the bit",
          "[recorded_cam][gpu]") {
  on_gpu([]<class Set>() { check_recorded_cam<Set>(); });
}

TEST_CASE("recorded CAM: on the CPU, explain() itself", "[recorded_cam]") {
  BrainDetectionModel model({32, 32, 16, 8}, DType::F32, Device::CPU);
  model.initialize(5);
  std::mt19937 rng(19);
  Tensor images({1, 3, 32, 32}, DType::F32);
  const std::vector<float> values = random_floats(3 * 32 * 32, rng, 0, 1);
  std::copy(values.begin(), values.end(), images.data<float>());
  RecordedCam cam(model, images.shape(), true);
  require_same_explanation(cam.explain(images, false),
                           explain(model, images, CamMethod::Cam, true, false));
  CHECK_THROWS_AS(cam.explain(Tensor::zeros({2, 3, 32, 32}, DType::F32)), std::invalid_argument);
}

}  // namespace
}  // namespace braincam::test
