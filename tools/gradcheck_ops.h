#pragma once
// The ops `braincam gradcheck` checks, at the model's shapes: for each, its random inputs and
// how to run it forward and backward through the engine's ops, so that the same code runs on
// any device and in any float type.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/tensor.h"
#include "tools/gradcheck_tolerances.h"

namespace braincam::tools {

// How an input is drawn.
struct InputSpec {
  enum class Kind {
    Uniform,   // uniform in [lo, hi)
    Binary,    // 0 or 1
    Simplex,   // positive rows (along the last dimension) that sum to 1
    EightBit,  // m / 256 for integers m uniform in [256 lo, 256 hi]
  };
  std::string name;
  Shape shape;
  Kind kind = Kind::Uniform;
  double lo = -1.0, hi = 1.0;
};

using Inputs = std::map<std::string, Tensor>;
// Called by a check with each result (a forward output or a gradient) as soon as it exists.
using Emit = std::function<void(const std::string& output, const Tensor& value)>;

struct OpCheck {
  std::string op;
  std::vector<InputSpec> inputs;
  // Runs the op on `inputs` (all on one device, one float type) and emits its results in order;
  // the backward pass is seeded with the input "dy" where there is one.
  std::function<void(const Inputs& inputs, const Emit& emit)> run;
};

// Every check, in the order of the model's forward pass, at shape s.
std::vector<OpCheck> gradcheck_ops(const CheckShape& s);

}  // namespace braincam::tools
