// The cascading parameter randomization of the saliency sanity checks
// (model/parameter_randomization.h): the layers from the output back, each stage re-drawing
// exactly its layers and nothing else, the same seed giving the same parameters; and the
// bootstrap interval of a mean (model/saliency_sanity.h).
#include "model/parameter_randomization.h"

#include <catch2/catch.hpp>
#include <cstring>
#include <set>
#include <string>

#include "model/saliency_sanity.h"

using namespace braincam;

namespace {

constexpr ModelShape kShape{.height = 32, .width = 32, .channels = 8, .reduction = 4};

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw(), b.raw(), a.bytes()) == 0;
}

std::vector<std::string> names(const std::vector<RandomizedLayer>& layers) {
  std::vector<std::string> n;
  for (const RandomizedLayer& l : layers) n.push_back(l.name);
  return n;
}

// A "trained" state that differs from any fresh initialization in every tensor: batchnorm's
// weight off 1, its statistics off 0 and 1, batches counted.
StateDict trained_state() {
  StateDict state = initial_state(kShape, 7);
  for (auto& [name, tensor] : state) {
    Tensor t = tensor.to(DType::F64);
    for (std::int64_t i = 0; i < t.numel(); ++i) t.data<double>()[i] += 0.5;
    tensor = t.to(tensor.dtype());
  }
  state["bn1.num_batches_tracked"] = Tensor::full({}, 5.0, DType::I64);
  return state;
}

}  // namespace

TEST_CASE("cascade layers: from the output back, attention only with attention", "[sanity]") {
  const BrainDetectionModel model(kShape);
  CHECK(names(cascade_layers(model, true)) ==
        std::vector<std::string>{"fc", "att.spatial", "att.mlp", "bn1", "conv1"});
  CHECK(names(cascade_layers(model, false)) == std::vector<std::string>{"fc", "bn1", "conv1"});
  // With attention every tensor of the state_dict belongs to exactly one layer.
  std::multiset<std::string> covered;
  for (const RandomizedLayer& l : cascade_layers(model, true))
    covered.insert(l.tensors.begin(), l.tensors.end());
  std::multiset<std::string> all;
  for (const auto& [name, tensor] : model.state_dict()) all.insert(name);
  CHECK(covered == all);
  const auto bn = cascade_layers(model, true)[3].tensors;
  CHECK(std::set<std::string>(bn.begin(), bn.end()) ==
        std::set<std::string>{"bn1.bias", "bn1.num_batches_tracked", "bn1.running_mean",
                              "bn1.running_var", "bn1.weight"});
}

TEST_CASE("cascade stages: each re-draws exactly its layers, cumulatively", "[sanity]") {
  const BrainDetectionModel model(kShape);
  const auto layers = cascade_layers(model, true);
  const StateDict trained = trained_state(), fresh = initial_state(kShape, 42);
  for (const auto& [name, tensor] : cascade_state(trained, fresh, layers, 0))
    CHECK(same_bytes(tensor, trained.at(name)));
  for (int stage = 1; stage <= static_cast<int>(layers.size()); ++stage) {
    const StateDict state = cascade_state(trained, fresh, layers, stage);
    std::set<std::string> redrawn;
    for (int k = 0; k < stage; ++k)
      redrawn.insert(layers[k].tensors.begin(), layers[k].tensors.end());
    for (const auto& [name, tensor] : state) {
      INFO("stage " << stage << ", " << name);
      if (redrawn.contains(name)) {
        CHECK(same_bytes(tensor, fresh.at(name)));
        CHECK_FALSE(same_bytes(tensor, trained.at(name)));
      } else {
        CHECK(same_bytes(tensor, trained.at(name)));
      }
    }
  }
  CHECK_THROWS_AS(cascade_state(trained, fresh, layers, 6), std::invalid_argument);
  CHECK_THROWS_AS(cascade_state(trained, fresh, layers, -1), std::invalid_argument);
}

TEST_CASE("cascade: the same seed re-draws the same parameters, another seed others", "[sanity]") {
  const StateDict a = initial_state(kShape, 42), b = initial_state(kShape, 42),
                  c = initial_state(kShape, 43);
  for (const auto& [name, tensor] : a) CHECK(same_bytes(tensor, b.at(name)));
  CHECK_FALSE(same_bytes(a.at("conv1.weight"), c.at("conv1.weight")));
  CHECK_FALSE(same_bytes(a.at("fc.weight"), c.at("fc.weight")));
  // Batchnorm's initialization draws nothing: every seed resets it alike.
  CHECK(same_bytes(a.at("bn1.weight"), c.at("bn1.weight")));
  CHECK(same_bytes(a.at("bn1.running_var"), c.at("bn1.running_var")));
}

TEST_CASE("bootstrap interval of a mean: reproducible, around the mean, exact when constant",
          "[sanity]") {
  std::vector<double> values;
  for (int i = 0; i < 50; ++i) values.push_back(0.02 * i);  // mean 0.49
  const Interval a = bootstrap_mean_interval(values, 500, 0.95, 3);
  const Interval b = bootstrap_mean_interval(values, 500, 0.95, 3);
  CHECK(a.low == b.low);
  CHECK(a.high == b.high);
  CHECK(a.low < 0.49);
  CHECK(a.high > 0.49);
  CHECK(a.high - a.low < 0.25);
  const Interval flat = bootstrap_mean_interval(std::vector<double>(10, 0.3), 100, 0.95, 3);
  CHECK(flat.low == Approx(0.3));
  CHECK(flat.high == Approx(0.3));
  CHECK(fails_sanity_rule(0.5, 0.5));
  CHECK_FALSE(fails_sanity_rule(0.4999, 0.5));
}
