#pragma once
// The ops `braincam gradcheck` checks, at the model's shapes: for each, its random inputs, its
// outputs with their bounds (from the op's header in kernels/bounds/), and how to run it forward
// and backward through the engine's ops, so that the same code runs on any device and in any
// float type.
#include <functional>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "kernels/bounds/rounding.h"
#include "tools/gradcheck/gradcheck.h"
#include "tools/gradcheck/inputs.h"

namespace braincam::gradcheck {

// A result of a check (a forward output or a gradient) and the bound it is held to.
struct CheckedOutput {
  std::string name;
  bounds::Bound bound;
};

// Called by a check with each result as soon as it exists, in the order of OpCheck::outputs.
using Emit = std::function<void(const std::string& output, const Tensor& value)>;

struct OpCheck {
  std::string op;
  std::vector<InputSpec> inputs;
  std::vector<CheckedOutput> outputs;
  // Runs the op on `inputs` (all on one device, one float type) and emits its outputs in order;
  // the backward pass is seeded with the input "dy" where there is one.
  std::function<void(const Inputs& inputs, const Emit& emit)> run;
};

// Every check, in the order of the model's forward pass, at shape s.
std::vector<OpCheck> op_checks(const CheckShape& s);

}  // namespace braincam::gradcheck
