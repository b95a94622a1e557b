#pragma once
// The random inputs of an op check: how each is drawn, and the drawing.
#include <map>
#include <string>

#include "base/random.h"
#include "engine/tensor.h"

namespace braincam::gradcheck {

struct InputSpec {
  enum class Kind {
    Uniform,   // uniform in [lo, hi)
    Binary,    // 0 or 1
    Simplex,   // positive rows (along the last dimension) that sum to 1
    EightBit,  // m / 256 for integers m uniform in [256 lo, 256 hi]
    Classes,   // I64 class indices uniform in [0, hi)
  };
  std::string name;
  Shape shape;
  Kind kind = Kind::Uniform;
  double lo = -1.0, hi = 1.0;
};

using Inputs = std::map<std::string, Tensor>;

// A tensor on the CPU drawn as `spec` says: float32, or I64 for Kind::Classes.
Tensor draw(const InputSpec& spec, Rng& rng);

}  // namespace braincam::gradcheck
