#pragma once
// Adebayo et al.'s (2018) cascading model-parameter randomization: the layers of the model that
// hold parameters, from the output back, re-drawn one more at a time from the model's own
// initialization, so that stage k has the top k layers random and the rest trained. A saliency
// method whose maps survive this is not explaining what the model learned
// (model/saliency_sanity.h).
//
// The layers of BrainDetectionModel, from the output back (the forward is conv1 -> bn1 -> relu ->
// pool1 -> channel attention -> spatial attention -> pool2 -> fc):
//   fc            fc.weight, fc.bias (the CAM guidance of the attention reads fc.weight too)
//   att.spatial   att.spatial.weight: the spatial attention's 7 x 7 convolution
//   att.mlp       att.mlp.{0,2}.{weight,bias}: the channel attention's shared MLP
//   bn1           bn1.weight, bn1.bias and its running statistics, reset as PyTorch's
//                 BatchNorm2d.reset_parameters does (weight 1, bias 0, mean 0, variance 1, count
//                 0): its initialization draws nothing, so every seed gives the same
//   conv1         conv1.weight, conv1.bias
// The pooling layers and the ReLU hold no parameters; the attention layers only where the model
// runs with attention (without, they are unused and left out of the cascade).
#include <cstdint>
#include <string>
#include <vector>

#include "engine/parameters.h"
#include "model/brain_detection_model.h"

namespace braincam {

struct RandomizedLayer {
  std::string name;                  // as above
  std::vector<std::string> tensors;  // the state_dict entries it re-draws
};

// The layers of `model`'s state_dict in cascade order, from the output back; the attention's only
// when `attention`.
std::vector<RandomizedLayer> cascade_layers(const BrainDetectionModel& model, bool attention);

// The state_dict of a model of `shape` freshly initialized from `seed`
// (BrainDetectionModel::initialize: PyTorch's default distributions).
StateDict initial_state(const ModelShape& shape, std::uint64_t seed);

// `trained` with the tensors of the first `stages` layers of `layers` taken from `fresh`
// (0: `trained` itself). Throws std::invalid_argument when `stages` is out of range or a tensor
// is missing from either state.
StateDict cascade_state(const StateDict& trained, const StateDict& fresh,
                        const std::vector<RandomizedLayer>& layers, int stages);

}  // namespace braincam
