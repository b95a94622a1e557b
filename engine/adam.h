#pragma once
// Adam, exactly as PyTorch's torch.optim.Adam without weight decay or amsgrad, or with a decoupled
// weight decay as torch.optim.AdamW: each parameter has its own step count, and a parameter
// without a gradient in a step is left alone (its state does not advance, nor does it decay). State
// is saved as `optim.exp_avg.<name>`, `optim.exp_avg_sq.<name>` and `optim.step.<name>` (an F32
// scalar, as PyTorch keeps it).
#include <map>
#include <string>
#include <vector>

#include "engine/parameters.h"

namespace braincam {

namespace cuda {
struct AdamTensor;  // kernels/cuda/adam.h
}

struct AdamOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  // Decoupled weight decay (Loshchilov & Hutter, torch.optim.AdamW's weight_decay): each step
  // first scales a parameter by 1 - lr * weight_decay. 0, the default, is plain Adam.
  double weight_decay = 0;
};

class Adam {
 public:
  Adam(ParameterList params, AdamOptions options);

  // Updates every parameter whose gradient is defined: on the CPU one parameter at a time, on
  // the emulator and the GPU all of them in one update launch (after one launch that stores
  // their descriptors, per 16 parameters).
  void step();
  // Clears all gradients (to undefined, PyTorch's set_to_none).
  void zero_grad();

  const AdamOptions& options() const { return options_; }
  void set_lr(double lr) { options_.lr = lr; }

  // The update split in two for a step recorded in a device graph (model/training_step_graph.h),
  // whose kernels cannot advance host values such as the step counts and bias corrections:
  // record_step() queues the update of the parameters that have a gradient now, reading their
  // descriptors from device memory; advance() moves those parameters one step on and writes the
  // descriptors, before each replay. Emulator and GPU only; every parameter updated must have
  // taken a step before (creating the moments is not part of a step's work).
  class RecordedStep {
    friend class Adam;
    struct Entry {
      Tensor value, grad;
      std::string name;
    };
    std::vector<Entry> entries;
    Tensor table;  // the descriptors, on the device
    long largest = 0;
  };
  RecordedStep record_step();
  void advance(const RecordedStep& step);

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
  // The descriptor of a parameter with state `s` for the kernels, at its current step count.
  cuda::AdamTensor descriptor(const State& s, const Tensor& value, const Tensor& grad) const;
  ParameterList params_;
  AdamOptions options_;
  std::map<std::string, State> state_;
};

}  // namespace braincam
