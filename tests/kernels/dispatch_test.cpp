// The engine's ops on the emulator and on the GPU give the CPU's results: forward and backward
// through autograd for every op; float64 on a GPU device is refused.
#include <catch2/catch.hpp>
#include <functional>
#include <random>

#include "engine/autograd.h"
#include "engine/ops.h"
#include "engine/tensor_math.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

Tensor random_tensor(Shape shape, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> v(shape_numel(shape));
  for (double& x : v) x = dist(rng);
  return Tensor::from_vector(std::move(shape), v, DType::F32);
}

// Runs op forward and backward (seeded with a random output gradient) on `device`; returns the
// output followed by the input gradients, on the host.
std::vector<std::vector<double>> run(const std::function<Var(const std::vector<Var>&)>& op,
                                     const std::vector<Tensor>& inputs, Device device) {
  std::vector<Var> vars;
  for (const Tensor& t : inputs) vars.emplace_back(t.to(device), true);
  const Var out = op(vars);
  backward(out, random_tensor(out.value().shape(), 99).to(device));
  std::vector<std::vector<double>> results{out.value().to_vector()};
  for (const Var& v : vars) results.push_back(v.grad().to_vector());
  return results;
}

void check_op(const char* name, const std::function<Var(const std::vector<Var>&)>& op,
              const std::vector<Tensor>& inputs, Device device) {
  INFO(name << " on " << device_name(device));
  const auto want = run(op, inputs, Device::CPU), got = run(op, inputs, device);
  REQUIRE(got.size() == want.size());
  for (std::size_t r = 0; r < got.size(); ++r) {
    REQUIRE(got[r].size() == want[r].size());
    for (std::size_t i = 0; i < got[r].size(); ++i)
      REQUIRE(got[r][i] == Approx(want[r][i]).margin(1e-4).epsilon(1e-4));
  }
}

void check_ops(Device device) {
  check_op(
      "relu", [](const auto& v) { return relu(v[0]); }, {random_tensor({2, 3, 5, 7}, 1)}, device);
  check_op(
      "maxpool4", [](const auto& v) { return maxpool4(v[0]); }, {random_tensor({2, 3, 8, 12}, 2)},
      device);
  check_op(
      "conv5x5", [](const auto& v) { return conv5x5(v[0], v[1], v[2]); },
      {random_tensor({2, 3, 9, 10}, 3), random_tensor({4, 3, 5, 5}, 4), random_tensor({4}, 5)},
      device);
  // x used twice: its gradient is accumulated with add_inplace.
  check_op(
      "relu + relu", [](const auto& v) { return relu(relu(v[0])); }, {random_tensor({33, 5}, 6)},
      device);
  Tensor a = random_tensor({5, 7}, 7), b = random_tensor({5, 7}, 8);
  Tensor want = a.clone(), got = a.to(device);
  add_inplace(want, b);
  add_inplace(got, b.to(device));
  CHECK(got.to_vector() == want.to_vector());

  // The other ops; tensors that are not inputs go to the device of the first input.
  const Tensor guidance = Tensor::full({2, 6}, 1.0 / 6, DType::F32),
               labels = Tensor::from_vector({5}, {0, 1, 1, 0, 1}, DType::F32);
  check_op(
      "batchnorm_train",
      [](const auto& v) {
        const Device d = v[0].value().device();
        return batchnorm_train(v[0], v[1], v[2], Tensor::zeros({3}, DType::F32, d),
                               Tensor::full({3}, 1.0, DType::F32, d), 0.1, 1e-5);
      },
      {random_tensor({2, 3, 5, 7}, 10), random_tensor({3}, 11), random_tensor({3}, 12)}, device);
  check_op(
      "channel_attention",
      [&](const auto& v) {
        return channel_attention(v[0], guidance.to(v[0].value().device()), v[1], v[2], v[3], v[4]);
      },
      {random_tensor({2, 3, 8, 12}, 13), random_tensor({2, 3}, 14), random_tensor({2}, 15),
       random_tensor({3, 2}, 16), random_tensor({3}, 17)},
      device);
  check_op(
      "spatial_attention", [](const auto& v) { return spatial_attention(v[0], v[1]); },
      {random_tensor({2, 3, 8, 12}, 18), random_tensor({1, 2, 7, 7}, 19)}, device);
  check_op(
      "linear", [](const auto& v) { return linear(v[0], v[1], v[2]); },
      {random_tensor({2, 3, 4, 4}, 20), random_tensor({2, 48}, 21), random_tensor({2}, 22)},
      device);
  check_op(
      "bce_with_logits",
      [&](const auto& v) { return bce_with_logits(v[0], labels.to(v[0].value().device())); },
      {random_tensor({5}, 23)}, device);
  const Tensor classes = Tensor::from_vector({3}, {2, 0, 3}, DType::I64);
  check_op(
      "softmax_cross_entropy",
      [&](const auto& v) { return softmax_cross_entropy(v[0], classes.to(v[0].value().device())); },
      {random_tensor({3, 4}, 32)}, device);

  // Forward-only ops: batchnorm in evaluation mode and the CAM maps.
  const NoGradScope no_grad;
  const Tensor h = random_tensor({2, 3, 5, 7}, 24), gamma = random_tensor({3}, 25),
               beta = random_tensor({3}, 26), running_mean = random_tensor({3}, 27),
               running_var = Tensor::full({3}, 0.7, DType::F32),
               F = random_tensor({2, 3, 8, 12}, 28), fc = random_tensor({1, 18}, 29),
               P = random_tensor({2, 3, 5, 3}, 30), fc_cells = random_tensor({1, 45}, 31),
               fc4 = random_tensor({4, 18}, 33), b4 = random_tensor({4}, 34);
  auto eval = [&](Device d) {
    return batchnorm_eval(Var(h.to(d)), Var(gamma.to(d)), Var(beta.to(d)), running_mean.to(d),
                          running_var.to(d), 1e-5)
        .value()
        .to_vector();
  };
  const std::vector<std::pair<const char*, std::function<std::vector<double>(Device)>>> maps{
      {"batchnorm_eval", eval},
      {"cam_guidance", [&](Device d) { return cam_guidance(F.to(d), fc.to(d)).to_vector(); }},
      {"cam_reduce", [&](Device d) { return cam_reduce(P.to(d), fc_cells.to(d)).to_vector(); }},
      {"cam_guidance of 4 classes",
       [&](Device d) {
         return cam_guidance(F.to(d), fc4.to(d), guidance_classes(F.to(d), fc4.to(d), b4.to(d)))
             .to_vector();
       }},
      {"guidance_classes",
       [&](Device d) { return guidance_classes(F.to(d), fc4.to(d), b4.to(d)).to_vector(); }}};
  for (const auto& [name, run_on] : maps) {
    INFO(name << " on " << device_name(device));
    const std::vector<double> want_map = run_on(Device::CPU), got_map = run_on(device);
    REQUIRE(got_map.size() == want_map.size());
    for (std::size_t i = 0; i < got_map.size(); ++i)
      REQUIRE(got_map[i] == Approx(want_map[i]).margin(1e-4).epsilon(1e-4));
  }
}

TEST_CASE("dispatch: ops on the emulator match the CPU", "[dispatch][emulator]") {
  check_ops(Device::Emulator);
}

TEST_CASE("dispatch: ops on the GPU match the CPU", "[dispatch][gpu]") {
  on_gpu([]<class>() { check_ops(Device::CUDA); });
}

TEST_CASE("dispatch: GPU kernels refuse float64 with a clear error", "[dispatch][emulator]") {
  const Var x(Tensor::zeros({4}, DType::F64).to(Device::Emulator));
  CHECK_THROWS_WITH(relu(x),
                    Catch::Contains("relu") && Catch::Contains("F32") && Catch::Contains("F64"));
}

}  // namespace
}  // namespace braincam::test
