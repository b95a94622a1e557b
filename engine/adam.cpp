#include "engine/adam.h"

#include <stdexcept>

#include "engine/dispatch.h"
#include "kernels/cpu/adam.h"

namespace braincam {

Adam::Adam(ParameterList params, AdamOptions options) : params_(std::move(params)), options_(options) {}

void Adam::zero_grad() {
  for (auto& p : params_) p.var.zero_grad();
}

void Adam::step() {
  for (auto& p : params_) {
    const Tensor& grad = p.var.grad();
    if (!grad.defined()) continue;
    Tensor& value = p.var.mutable_value();
    State& s = state_[p.name];
    if (!s.exp_avg.defined()) {
      s.exp_avg = Tensor::zeros(value.shape(), value.dtype(), value.device());
      s.exp_avg_sq = Tensor::zeros(value.shape(), value.dtype(), value.device());
    }
    ++s.step;
    run_kernel(value, "adam", [&]<class T>() {
      cpu::adam_update<T>(value.data<T>(), s.exp_avg.data<T>(), s.exp_avg_sq.data<T>(),
                          grad.data<T>(), value.numel(), options_.lr, options_.beta1,
                          options_.beta2, options_.eps, s.step);
    });
  }
}

StateDict Adam::state_dict() const {
  StateDict dict;
  for (const auto& [name, s] : state_) {
    dict["optim.exp_avg." + name] = s.exp_avg.to(Device::CPU).to(DType::F32);
    dict["optim.exp_avg_sq." + name] = s.exp_avg_sq.to(Device::CPU).to(DType::F32);
    dict["optim.step." + name] = Tensor::full({}, static_cast<double>(s.step), DType::F32);
  }
  return dict;
}

void Adam::load_state_dict(const StateDict& dict, const std::string& source) {
  state_.clear();
  for (const auto& p : params_) {
    const Tensor& value = p.var.value();
    const auto avg = dict.find("optim.exp_avg." + p.name);
    const auto avg_sq = dict.find("optim.exp_avg_sq." + p.name);
    const auto step = dict.find("optim.step." + p.name);
    const int present = (avg != dict.end()) + (avg_sq != dict.end()) + (step != dict.end());
    if (present == 0) continue;
    if (present != 3)
      throw std::runtime_error(source + ": optimizer state of '" + p.name + "' is incomplete");
    check_shape(avg->second, value.shape(), (source + ": optim.exp_avg." + p.name).c_str());
    check_shape(avg_sq->second, value.shape(), (source + ": optim.exp_avg_sq." + p.name).c_str());
    const double count = step->second.numel() == 1 ? step->second.item() : -1;
    if (count < 0 || count != static_cast<long>(count))
      throw std::runtime_error(source + ": optim.step." + p.name + " is not a step count");
    // Copies: the optimizer updates its state in place.
    state_[p.name] = {avg->second.to(value.dtype()).to(value.device()).clone(),
                      avg_sq->second.to(value.dtype()).to(value.device()).clone(),
                      static_cast<long>(count)};
  }
}

}  // namespace braincam
