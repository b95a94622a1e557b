// The whole training step (forward with attention, loss, backward, Adam) on the emulator and on
// the GPU against the CPU reference kernels: two steps, the first without attention (so the
// attention parameters get no gradient and Adam leaves them alone, as PyTorch does) and the
// second with it (their first step, the others' second). Logits, loss and every gradient are
// compared after each step, parameters and running statistics at the end. Both kernel paths of
// the devices are checked: the plain per-op kernels and the fused first layer.
//
// Float32 tolerances: the devices sum in other orders than the reference, so values agree to a
// few units of float32 roundoff times the chains of a forward and backward pass: 1e-4 relative
// plus 1e-5 of the largest value of the same tensor. conv1.bias's gradient is rounding noise
// around zero (docs/model.md), so its scale is conv1.weight's gradient. Adam's first steps move a
// parameter by about lr * g / |g|: an element whose gradient is not well above the gradient
// tolerance may move differently, by up to a few lr, and its tolerance grows accordingly.
#include "model/training_step.h"

#include <catch2/catch.hpp>
#include <map>

#include "engine/adam.h"
#include "model/brain_detection_model.h"
#include "tests/kernels/kernel_test_support.h"

namespace braincam::test {
namespace {

constexpr int kBatch = 3;
constexpr ModelShape kShape{32, 32, 16, 8};
constexpr double kLr = 1e-3;

using Values = std::map<std::string, std::vector<double>>;

struct Trajectory {
  std::vector<Values> steps;  // per step: "logits", "loss" and "grad.<name>"
  Values final;               // parameters and running statistics after the last step
};

// The batch's images, the same on every device.
Tensor batch_images() {
  std::mt19937 rng(91);
  Tensor images({kBatch, 3, kShape.height, kShape.width}, DType::F32);
  const std::vector<float> pixels = random_floats(images.numel(), rng, 0, 1);
  std::copy(pixels.begin(), pixels.end(), images.data<float>());
  return images;
}

ModelShape shape_of(int classes) {
  ModelShape shape = kShape;
  shape.classes = classes;
  return shape;
}

// The CPU always runs its reference kernels. classes: the model's K (labels F32 0/1 for 1, I64
// class indices above).
Trajectory train(Device device, KernelPath path = KernelPath::Reference, int classes = 1) {
  BrainDetectionModel model(shape_of(classes), DType::F32, device);
  model.initialize(7);
  model.set_kernel_path(device == Device::CPU ? KernelPath::Reference : path);
  Adam optimizer(model.parameters(), AdamOptions{kLr});
  const Tensor images = batch_images();
  const Tensor labels = classes == 1 ? Tensor::from_vector({kBatch}, {0, 1, 1}, DType::F32)
                                     : Tensor::from_vector({kBatch}, {0, 3, 2}, DType::I64);

  Trajectory t;
  for (bool attention : {false, true}) {
    const StepResult r =
        training_step(model, optimizer, images.to(device), labels.to(device), attention);
    Values v{{"logits", r.logits.to_vector()}, {"loss", r.loss.to_vector()}};
    for (const auto& p : model.parameters())
      if (p.var.grad().defined()) v["grad." + p.name] = p.var.grad().to_vector();
    t.steps.push_back(std::move(v));
  }
  for (const auto& [name, tensor] : model.state_dict()) t.final[name] = tensor.to_vector();
  return t;
}

double largest(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

std::vector<double> tolerance(const std::vector<double>& want, double scale) {
  std::vector<double> t(want.size());
  for (std::size_t i = 0; i < want.size(); ++i) t[i] = 1e-4 * std::fabs(want[i]) + 1e-5 * scale;
  return t;
}

void require_close_values(const std::vector<double>& got, const std::vector<double>& want,
                          const std::vector<double>& tol, const std::string& what) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    if (!(std::fabs(got[i] - want[i]) <= tol[i]))
      FAIL(what << "[" << i << "]: got " << got[i] << ", want " << want[i] << ", tolerance "
                << tol[i]);
}

// The scale of a gradient: its own largest value, conv1.weight's for conv1.bias.
double gradient_scale(const Values& step, const std::string& key) {
  return largest(step.at(key == "grad.conv1.bias" ? "grad.conv1.weight" : key));
}

void compare(const Trajectory& got, const Trajectory& want) {
  REQUIRE(got.steps.size() == want.steps.size());
  for (std::size_t s = 0; s < want.steps.size(); ++s) {
    INFO("step " << s + 1);
    REQUIRE(got.steps[s].size() == want.steps[s].size());  // the same parameters got gradients
    for (const auto& [key, w] : want.steps[s]) {
      const double scale =
          key.starts_with("grad.") ? gradient_scale(want.steps[s], key) : largest(w);
      require_close_values(got.steps[s].at(key), w, tolerance(w, scale), key);
    }
  }
  Values tolerances;
  for (const auto& [name, w] : want.final) {
    std::vector<double>& tol = tolerances[name] = tolerance(w, largest(w));
    for (const Values& step : want.steps) {
      const auto g = step.find("grad." + name);
      if (g == step.end()) continue;
      const std::vector<double> g_tol = tolerance(g->second, gradient_scale(step, g->first));
      for (std::size_t i = 0; i < tol.size(); ++i)
        tol[i] += 4 * kLr * std::min(1.0, 2 * g_tol[i] / (std::fabs(g->second[i]) + 1e-8));
    }
  }
  // The second step's batch mean moves with conv1.bias, whose first update is noise; the running
  // mean takes momentum 0.1 of it.
  for (std::size_t c = 0; c < tolerances["bn1.running_mean"].size(); ++c)
    tolerances["bn1.running_mean"][c] += 0.1 * tolerances["conv1.bias"][c];
  for (const auto& [name, w] : want.final)
    require_close_values(got.final.at(name), w, tolerances.at(name), name);
}

TEST_CASE("training step: the emulator matches the CPU reference kernels",
          "[training_step][emulator]") {
  const Trajectory want = train(Device::CPU);
  SECTION("per-op kernels") { compare(train(Device::Emulator, KernelPath::Reference), want); }
  SECTION("fused first layer") { compare(train(Device::Emulator, KernelPath::Fast), want); }
}

// The guidance's classes k* of a four-class model on `device` (its first training forward).
std::vector<double> guidance_classes_on(Device device, DType dtype) {
  BrainDetectionModel model(shape_of(4), dtype, device);
  model.initialize(7);
  const ForwardResult r = model.forward(Var(batch_images().to(dtype).to(device)),
                                        {.attention = true, .training = true});
  return r.guidance_classes.to_vector();
}

TEST_CASE("training step: a four-class model on the emulator matches the CPU reference kernels",
          "[training_step][emulator]") {
  // The steps compare only if the backends pick the same guidance classes: the float64 model's
  // k*, whose attention-free logits z0 (its logits with attention off) must be clear of ties.
  BrainDetectionModel exact(shape_of(4), DType::F64);
  exact.initialize(7);
  const std::vector<double> z0 =
      exact.forward(Var(batch_images().to(DType::F64)), {.attention = false, .training = true})
          .logits.value()
          .to_vector();
  for (int n = 0; n < kBatch; ++n) {
    std::vector<double> row(z0.begin() + 4 * n, z0.begin() + 4 * n + 4);
    std::sort(row.rbegin(), row.rend());
    INFO("image " << n << ": z0's top two " << row[0] << ", " << row[1]);
    REQUIRE(row[0] - row[1] > 1e-4 * largest(z0));
  }
  const std::vector<double> k = guidance_classes_on(Device::CPU, DType::F64);
  CHECK(guidance_classes_on(Device::CPU, DType::F32) == k);
  CHECK(guidance_classes_on(Device::Emulator, DType::F32) == k);

  const Trajectory want = train(Device::CPU, KernelPath::Reference, 4);
  SECTION("per-op kernels") { compare(train(Device::Emulator, KernelPath::Reference, 4), want); }
  SECTION("fused first layer") { compare(train(Device::Emulator, KernelPath::Fast, 4), want); }
}

TEST_CASE("training step: the GPU matches the CPU reference kernels", "[training_step][gpu]") {
  on_gpu([]<class>() {
    const Trajectory want = train(Device::CPU);
    compare(train(Device::CUDA, KernelPath::Reference), want);
    compare(train(Device::CUDA, KernelPath::Fast), want);
  });
}

}  // namespace
}  // namespace braincam::test
