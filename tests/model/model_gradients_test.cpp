// The whole BrainDetectionModel in float64: finite differences of the training loss against
// backward for sampled elements of every parameter and of the input, attention on and off; and
// the CAM identity on the model's own P.
#include <catch2/catch.hpp>

#include "engine/ops.h"
#include "model/brain_detection_model.h"
#include "tests/engine/gradcheck.h"
#include "tests/engine/random_tensors.h"

using namespace braincam;

namespace {

// A model small enough for finite differences: 32x32 images, 16 channels (2 hidden units).
constexpr ModelShape kShape{.height = 32, .width = 32, .channels = 16, .reduction = 8};

ModelShape with_classes(int classes) {
  ModelShape shape = kShape;
  shape.classes = classes;
  return shape;
}

// classes: the model's K; its labels are F32-like 0/1 for K = 1, I64 class indices above.
struct Fixture {
  BrainDetectionModel model;
  Var images;
  Tensor labels;

  explicit Fixture(std::uint64_t seed, int classes = 1)
      : model(with_classes(classes), DType::F64),
        labels(classes == 1 ? Tensor::from_vector({3}, {1, 0, 1}, DType::F64)
                            : Tensor::from_vector({3}, {2, 0, static_cast<double>(classes - 1)},
                                                  DType::I64)) {
    model.initialize(seed);
    test::Rng rng(seed);
    images = Var(test::uniform({3, 3, kShape.height, kShape.width}, 0, 1, rng), true);
  }
};

// Finite differences of the training loss (BCE for one class, softmax cross-entropy above)
// against backward, for sampled elements of every parameter the pass uses and of the input.
void check_model_gradients(std::uint64_t seed, int classes, bool attention) {
  Fixture f(seed, classes);
  // Backward treats the CAM guidance (and, for K classes, the class it follows) as a constant,
  // so the differences hold it fixed too.
  const Tensor guidance =
      f.model.forward(f.images, {.attention = attention, .training = true}).guidance;
  auto loss = [&] {
    const ForwardResult r = f.model.forward(
        f.images, {.attention = attention, .training = true, .frozen_guidance = guidance});
    return classes == 1 ? bce_with_logits(r.logits, f.labels)
                        : softmax_cross_entropy(r.logits, f.labels);
  };
  std::vector<test::GradCheckInput> inputs{{"images", f.images}};
  for (const auto& p : f.model.parameters()) {
    if (!attention && f.model.is_attention_parameter(p.name)) continue;
    // conv1.bias has a zero true gradient (batchnorm removes it): measure it on the scale of
    // conv1.weight's gradient, as the spec says.
    inputs.emplace_back(p.name, p.var, p.name == "conv1.bias" ? "conv1.weight" : "");
  }
  const test::GradCheckReport report = test::gradcheck(loss, inputs, {.max_elements = 24});
  INFO(report.str());
  CHECK(report.max_error() < 1e-6);
}

}  // namespace

TEST_CASE(
    "model: finite differences of the loss match backward for every parameter and the input") {
  for (const bool attention : {false, true})
    DYNAMIC_SECTION("attention " << (attention ? "on" : "off")) {
      check_model_gradients(attention ? 11 : 12, 1, attention);
    }
}

TEST_CASE("model: a four-class model's loss has the gradients of its backward") {
  for (const bool attention : {false, true})
    DYNAMIC_SECTION("attention " << (attention ? "on" : "off")) {
      check_model_gradients(attention ? 13 : 14, 4, attention);
    }
}

TEST_CASE("model: the guidance's classes given from outside replace the computed ones") {
  Fixture f(15, 4);
  const ForwardResult own = f.model.forward(f.images, {.attention = true, .training = true});
  const std::vector<double> k = own.guidance_classes.to_vector();
  REQUIRE(k.size() == 3);
  // Another class for image 0: its guidance changes, the other images' do not.
  const Tensor other = Tensor::from_vector(
      {3}, {static_cast<double>((static_cast<int>(k[0]) + 1) % 4), k[1], k[2]}, DType::I64);
  const ForwardResult given =
      f.model.forward(f.images, {.attention = true, .training = true, .frozen_classes = other});
  CHECK(given.guidance_classes.to_vector() == other.to_vector());
  const std::vector<double> s = own.guidance.to_vector(), t = given.guidance.to_vector();
  const std::size_t cells = s.size() / 3;
  CHECK(std::vector<double>(s.begin(), s.begin() + cells) !=
        std::vector<double>(t.begin(), t.begin() + cells));
  CHECK(std::vector<double>(s.begin() + cells, s.end()) ==
        std::vector<double>(t.begin() + cells, t.end()));
}

TEST_CASE("model: with attention off the attention parameters get no gradient") {
  Fixture f(3);
  backward(bce_with_logits(f.model.forward(f.images, {.attention = false, .training = true}).logits,
                           f.labels));
  for (const auto& p : f.model.parameters())
    CHECK(p.var.grad().defined() == !f.model.is_attention_parameter(p.name));
}

TEST_CASE("model: the CAM map of P sums to z - fc.bias") {
  Fixture f(5);
  NoGradScope no_grad;
  const ForwardResult r = f.model.forward(f.images, {.attention = true});
  const Tensor cam = cam_reduce(r.P.value(), f.model.fc_weight());
  double bias = 0;
  for (const auto& p : f.model.parameters())
    if (p.name == "fc.bias") bias = p.var.value().item();
  for (int n = 0; n < 3; ++n) {
    double sum = 0;
    for (int p = 0; p < 4; ++p) sum += cam.item(n * 4 + p);
    CHECK(sum + bias == Approx(r.logits.value().item(n)).epsilon(1e-12));
  }
}
