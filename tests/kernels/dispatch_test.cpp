// The engine's ops on the emulator and on the GPU give the CPU's results: forward and backward
// through autograd, for the ops that have GPU kernels; float64 on a GPU device is refused.
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
  check_op("relu", [](const auto& v) { return relu(v[0]); }, {random_tensor({2, 3, 5, 7}, 1)},
           device);
  check_op("maxpool4", [](const auto& v) { return maxpool4(v[0]); },
           {random_tensor({2, 3, 8, 12}, 2)}, device);
  check_op("conv5x5", [](const auto& v) { return conv5x5(v[0], v[1], v[2]); },
           {random_tensor({2, 3, 9, 10}, 3), random_tensor({4, 3, 5, 5}, 4), random_tensor({4}, 5)},
           device);
  // x used twice: its gradient is accumulated with add_inplace.
  check_op("relu + relu", [](const auto& v) { return relu(relu(v[0])); },
           {random_tensor({33, 5}, 6)}, device);
  Tensor a = random_tensor({5, 7}, 7), b = random_tensor({5, 7}, 8);
  Tensor want = a.clone(), got = a.to(device);
  add_inplace(want, b);
  add_inplace(got, b.to(device));
  CHECK(got.to_vector() == want.to_vector());
}

TEST_CASE("dispatch: ops on the emulator match the CPU", "[dispatch][emulator]") {
  check_ops(Device::Emulator);
}

TEST_CASE("dispatch: ops on the GPU match the CPU", "[dispatch][gpu]") {
  on_gpu([]<class>() { check_ops(Device::CUDA); });
}

TEST_CASE("dispatch: GPU kernels refuse float64 with a clear error", "[dispatch][emulator]") {
  const Var x(Tensor::zeros({4}, DType::F64).to(Device::Emulator));
  CHECK_THROWS_WITH(relu(x), Catch::Contains("relu") && Catch::Contains("F32") &&
                                 Catch::Contains("F64"));
}

}  // namespace
}  // namespace braincam::test
