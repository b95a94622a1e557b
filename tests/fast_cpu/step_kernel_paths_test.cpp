// `braincam step --kernels fast` against `--kernels reference` on a 240 x 240 batch of 4 with
// attention on. The images are 8-bit (k/256) and conv1's weight and bias multiples of 1/256, so
// conv1's output is exact in float32 on both paths and the pooling winners agree; what differs is
// float32 rounding (batch statistics, summation order), hence tolerances of 1e-4 of each
// gradient's largest element.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "engine/safetensors.h"
#include "model/brain_detection_model.h"
#include "tests/fast_cpu/tensor_compare.h"

using namespace braincam;
using test::max_abs;
using test::max_abs_diff;
namespace fs = std::filesystem;

namespace {

void round_to_multiples(Tensor& t, double step) {
  float* p = t.data<float>();
  for (std::int64_t i = 0; i < t.numel(); ++i)
    p[i] = static_cast<float>(std::round(p[i] / step) * step);
}

Safetensors run_step(const fs::path& dir, const std::string& kernel_path) {
  const fs::path out = dir / ("step_" + kernel_path + ".safetensors");
  const std::string command = std::string(BRAINCAM_BINARY) + " step --checkpoint " +
                              (dir / "checkpoint.safetensors").string() + " --batch " +
                              (dir / "batch.safetensors").string() + " --out " + out.string() +
                              " --kernels " + kernel_path + " > " +
                              (dir / (kernel_path + ".log")).string();
  REQUIRE(std::system(command.c_str()) == 0);
  return read_safetensors(out.string());
}

}  // namespace

TEST_CASE("braincam step: the fast CPU path matches the reference path") {
  const fs::path dir =
      fs::temp_directory_path() / ("braincam_fast_cpu_step_" + std::to_string(::getpid()));
  fs::create_directories(dir);

  BrainDetectionModel model;
  model.initialize(21);
  StateDict checkpoint = model.state_dict();
  round_to_multiples(checkpoint["conv1.weight"], 1.0 / 256);
  round_to_multiples(checkpoint["conv1.bias"], 1.0 / 256);
  write_safetensors((dir / "checkpoint.safetensors").string(), checkpoint);

  const int N = 4;
  Tensor images({N, 3, 240, 240}, DType::F32);
  std::mt19937_64 rng(5);
  std::uniform_int_distribution<int> byte(0, 255);
  for (std::int64_t i = 0; i < images.numel(); ++i) images.data<float>()[i] = byte(rng) / 256.0f;
  write_safetensors(
      (dir / "batch.safetensors").string(),
      {{"images", images}, {"labels", Tensor::from_vector({N}, {1, 0, 0, 1}, DType::F32)}});

  const Safetensors ref = run_step(dir, "reference"), fast = run_step(dir, "fast");
  CHECK(max_abs_diff(fast.tensors.at("logits"), ref.tensors.at("logits")) <= 1e-4);
  CHECK(max_abs_diff(fast.tensors.at("loss"), ref.tensors.at("loss")) <= 1e-5);
  for (const char* name : {"bn1.running_mean", "bn1.running_var"})
    CHECK(max_abs_diff(fast.tensors.at(name), ref.tensors.at(name)) <=
          1e-6 * std::max(1.0, max_abs(ref.tensors.at(name))));
  int grads = 0;
  for (const auto& [name, g] : ref.tensors) {
    if (!name.starts_with("grad.")) continue;
    ++grads;
    // conv1.bias's true gradient is 0: measured on the scale of conv1.weight's (see the spec).
    const Tensor& scale = name == "grad.conv1.bias" ? ref.tensors.at("grad.conv1.weight") : g;
    INFO(name);
    CHECK(max_abs_diff(fast.tensors.at(name), g) <= 1e-4 * max_abs(scale));
  }
  CHECK(grads == 11);
  fs::remove_all(dir);
}
