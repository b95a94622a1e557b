#include "engine/adam.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "engine/dispatch.h"
#include "engine/tensor_math.h"
#include "kernels/cpu/adam.h"
#include "kernels/cuda/adam.h"

namespace braincam {

Adam::Adam(ParameterList params, AdamOptions options)
    : params_(std::move(params)), options_(options) {}

void Adam::zero_grad() {
  for (auto& p : params_) p.var.zero_grad();
}

void Adam::step() {
  // The parameters that got a gradient, with their state advanced by one step.
  struct Update {
    Tensor value, grad;
    State* state;
  };
  std::vector<Update> updates;
  for (auto& p : params_) {
    const Tensor& grad = p.var.grad();
    if (!grad.defined()) continue;
    const Tensor& value = p.var.value();
    check_same_kind("adam", {updates.empty() ? &value : &updates.front().value, &value, &grad});
    State& s = state_[p.name];
    if (!s.exp_avg.defined()) {
      s.exp_avg = Tensor::zeros(value.shape(), value.dtype(), value.device());
      s.exp_avg_sq = Tensor::zeros(value.shape(), value.dtype(), value.device());
    }
    ++s.step;
    updates.push_back({value, grad, &s});
  }
  if (updates.empty()) return;
  // The CPU updates one parameter at a time; the GPU kernel updates them all in one launch.
  run_kernel(
      updates.front().value, "adam",
      [&]<class T>() {
        for (const Update& u : updates)
          cpu::adam_update<T>(u.value.data<T>(), u.state->exp_avg.data<T>(),
                              u.state->exp_avg_sq.data<T>(), u.grad.data<T>(), u.value.numel(),
                              options_.lr, options_.beta1, options_.beta2, options_.eps,
                              options_.weight_decay, u.state->step);
      },
      [&]<class Set>(cuda::Stream s) {
        std::vector<cuda::AdamTensor> tensors;
        for (const Update& u : updates) tensors.push_back(descriptor(*u.state, u.value, u.grad));
        cuda::adam_update_all<Set>(tensors.data(), static_cast<int>(tensors.size()), options_.beta1,
                                   options_.beta2, options_.eps, s);
      });
}

cuda::AdamTensor Adam::descriptor(const State& s, const Tensor& value, const Tensor& grad) const {
  return cuda::adam_tensor(value.data<float>(), s.exp_avg.data<float>(), s.exp_avg_sq.data<float>(),
                           grad.data<float>(), value.numel(), options_.lr, options_.beta1,
                           options_.beta2, options_.weight_decay, s.step);
}

Adam::RecordedStep Adam::record_step() {
  RecordedStep step;
  for (auto& p : params_) {
    const Tensor& grad = p.var.grad();
    if (!grad.defined()) continue;
    const Tensor& value = p.var.value();
    const auto s = state_.find(p.name);
    if (s == state_.end() || !s->second.exp_avg.defined())
      throw std::logic_error("adam: recording a step of '" + p.name +
                             "', which has no moments yet: take one step before recording");
    step.entries.push_back({value, grad, p.name});
    step.largest = std::max(step.largest, static_cast<long>(value.numel()));
  }
  if (step.entries.empty()) return step;
  const Tensor& like = step.entries.front().value;
  step.table = Tensor({static_cast<std::int64_t>(step.entries.size() * sizeof(cuda::AdamTensor))},
                      DType::U8, like.device());
  run_device_kernel(like, "adam", [&]<class Set>(cuda::Stream s) {
    cuda::adam_update_table<Set>(reinterpret_cast<const cuda::AdamTensor*>(step.table.raw()),
                                 static_cast<int>(step.entries.size()), step.largest,
                                 options_.beta1, options_.beta2, options_.eps, s);
  });
  return step;
}

void Adam::advance(const RecordedStep& step) {
  if (step.entries.empty()) return;
  std::vector<cuda::AdamTensor> tensors;
  for (const RecordedStep::Entry& e : step.entries) {
    State& s = state_.at(e.name);
    ++s.step;
    tensors.push_back(descriptor(s, e.value, e.grad));
  }
  run_device_kernel(step.entries.front().value, "adam", [&]<class Set>(cuda::Stream s) {
    cuda::adam_store_descriptors<Set>(reinterpret_cast<cuda::AdamTensor*>(step.table.raw()),
                                      tensors.data(), static_cast<int>(tensors.size()), s);
  });
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
    require_finite(avg->second, source, avg->first);
    require_finite(avg_sq->second, source, avg_sq->first);
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
