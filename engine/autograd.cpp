#include "engine/autograd.h"

#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "engine/tensor_math.h"

namespace braincam {

namespace {
thread_local bool g_grad_enabled = true;
}

bool grad_enabled() { return g_grad_enabled; }
NoGradScope::NoGradScope() : previous_(g_grad_enabled) { g_grad_enabled = false; }
NoGradScope::~NoGradScope() { g_grad_enabled = previous_; }

Var::Var(Tensor value, bool requires_grad) : node_(std::make_shared<Node>()) {
  node_->value = std::move(value);
  node_->requires_grad = requires_grad;
}

void Var::accumulate_grad(const Tensor& g) const {
  if (!node_->grad.defined())
    node_->grad = g.clone();
  else
    add_inplace(node_->grad, g);
}

Var Var::from_op(Tensor value, const char* op, std::vector<Var> inputs, BackwardFn backward) {
  Var out(std::move(value));
  if (!grad_enabled()) return out;
  bool any = false;
  for (const Var& v : inputs) any = any || (v.defined() && v.requires_grad());
  if (!any) return out;
  out.node_->requires_grad = true;
  out.node_->grad_fn = std::make_shared<GradFn>(GradFn{op, std::move(inputs), std::move(backward)});
  return out;
}

void backward(const Var& root, const Tensor& seed) {
  if (!root.requires_grad())
    throw std::logic_error("backward: the root does not require a gradient");
  if (!seed.defined() && root.value().numel() != 1)
    throw std::logic_error("backward: a non-scalar root needs a seed gradient");

  // Reverse topological order by an iterative depth-first search over nodes with a GradFn.
  std::vector<Var> order;
  std::unordered_set<const void*> visited;
  std::vector<std::pair<Var, std::size_t>> stack{{root, 0}};
  visited.insert(root.id());
  while (!stack.empty()) {
    auto& [v, next] = stack.back();
    const auto& fn = v.grad_fn();
    if (fn && next < fn->inputs.size()) {
      const Var& in = fn->inputs[next++];
      if (in.defined() && in.requires_grad() && visited.insert(in.id()).second)
        stack.push_back({in, 0});
    } else {
      order.push_back(v);
      stack.pop_back();
    }
  }

  // Gradients of intermediate results live here, those of leaves in the leaves themselves.
  std::unordered_map<const void*, Tensor> pending;
  const Tensor& r = root.value();
  pending[root.id()] = seed.defined() ? seed : Tensor::full(r.shape(), 1.0, r.dtype(), r.device());
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    const Var& v = *it;
    auto found = pending.find(v.id());
    if (found == pending.end()) continue;  // nothing flowed into this node
    Tensor g = std::move(found->second);
    pending.erase(found);
    const auto& fn = v.grad_fn();
    if (!fn) {
      v.accumulate_grad(g);
      continue;
    }
    std::vector<Tensor> grads = fn->backward(g);
    if (grads.size() != fn->inputs.size())
      throw std::logic_error(std::string("backward of ") + fn->op +
                             " returned the wrong number of gradients");
    for (std::size_t i = 0; i < grads.size(); ++i) {
      const Var& in = fn->inputs[i];
      if (!grads[i].defined() || !in.defined() || !in.requires_grad()) continue;
      auto [slot, fresh] = pending.try_emplace(in.id(), grads[i]);
      if (!fresh) {  // a second path into `in`: sum into a fresh tensor, the first may be shared
        Tensor sum = slot->second.clone();
        add_inplace(sum, grads[i]);
        slot->second = std::move(sum);
      }
    }
  }
}

}  // namespace braincam
