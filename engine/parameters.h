#pragma once
// Named parameters and state dictionaries (name -> tensor), as PyTorch's state_dict.
#include <map>
#include <string>
#include <vector>

#include "engine/autograd.h"

namespace braincam {

struct NamedParameter {
  std::string name;
  Var var;
};
using ParameterList = std::vector<NamedParameter>;

// Ordered by name, like a safetensors file.
using StateDict = std::map<std::string, Tensor>;

}  // namespace braincam
