#include "model/parameter_randomization.h"

#include <stdexcept>

namespace braincam {

namespace {

// Each layer and the prefix of its state_dict names, from the output back.
struct LayerPrefix {
  const char* name;
  const char* prefix;
  bool attention;
};
constexpr LayerPrefix kCascade[] = {{"fc", "fc.", false},
                                    {"att.spatial", "att.spatial.", true},
                                    {"att.mlp", "att.mlp.", true},
                                    {"bn1", "bn1.", false},
                                    {"conv1", "conv1.", false}};

}  // namespace

std::vector<RandomizedLayer> cascade_layers(const BrainDetectionModel& model, bool attention) {
  const StateDict state = model.state_dict();
  std::vector<RandomizedLayer> layers;
  for (const LayerPrefix& l : kCascade) {
    if (l.attention && !attention) continue;
    RandomizedLayer layer{l.name, {}};
    for (const auto& [name, tensor] : state)
      if (name.starts_with(l.prefix)) layer.tensors.push_back(name);
    if (layer.tensors.empty())
      throw std::logic_error(std::string("cascade_layers: the model has no ") + l.prefix + "*");
    layers.push_back(std::move(layer));
  }
  return layers;
}

StateDict initial_state(const ModelShape& shape, std::uint64_t seed) {
  BrainDetectionModel fresh(shape);
  fresh.initialize(seed);
  return fresh.state_dict();
}

StateDict cascade_state(const StateDict& trained, const StateDict& fresh,
                        const std::vector<RandomizedLayer>& layers, int stages) {
  if (stages < 0 || stages > static_cast<int>(layers.size()))
    throw std::invalid_argument("cascade_state: stage " + std::to_string(stages) + " of " +
                                std::to_string(layers.size()));
  StateDict state = trained;
  for (int k = 0; k < stages; ++k)
    for (const std::string& name : layers[k].tensors) {
      if (!state.contains(name) || !fresh.contains(name))
        throw std::invalid_argument("cascade_state: no tensor " + name);
      state[name] = fresh.at(name);
    }
  return state;
}

}  // namespace braincam
