#pragma once
// Adam, exactly as PyTorch's torch.optim.Adam without weight decay or amsgrad: each parameter has
// its own step count, and a parameter without a gradient in a step is left alone (its state does
// not advance). State is saved as `optim.exp_avg.<name>`, `optim.exp_avg_sq.<name>` and
// `optim.step.<name>` (an F32 scalar, as PyTorch keeps it).
#include <map>
#include <string>

#include "engine/parameters.h"

namespace braincam {

struct AdamOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
};

class Adam {
 public:
  Adam(ParameterList params, AdamOptions options);

  // Updates every parameter whose gradient is defined: on the CPU one parameter at a time, on
  // the emulator and the GPU all of them in one kernel launch.
  void step();
  // Clears all gradients (to undefined, PyTorch's set_to_none).
  void zero_grad();

  const AdamOptions& options() const { return options_; }
  void set_lr(double lr) { options_.lr = lr; }

  // The optimizer state under the `optim.` names, on the CPU.
  StateDict state_dict() const;
  // Takes the `optim.` entries of `dict` (others are ignored). A parameter with no entries starts
  // from zero; one with some but not all of its three entries is an error.
  void load_state_dict(const StateDict& dict, const std::string& source);

 private:
  struct State {
    Tensor exp_avg, exp_avg_sq;
    long step = 0;
  };
  ParameterList params_;
  AdamOptions options_;
  std::map<std::string, State> state_;
};

}  // namespace braincam
